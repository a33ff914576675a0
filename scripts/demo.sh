#!/usr/bin/env bash
# Set up (scripts/setup.sh), run the pipeline on the bundled demo calls, build the demo
# centre and open the dashboard on it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 PYANNOTE_METRICS_ENABLED=0
.venv/bin/qa demo --out demo                                  # 4 English calls: audio → transcript → scores
.venv/bin/qa demo --size large --out demo --db demo/centre.duckdb   # a living centre: 40 agents, 12 weeks
exec .venv/bin/qa dashboard --db demo/centre.duckdb --port "${PORT:-8501}"
