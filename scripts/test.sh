#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run the whole test suite. `.ci/run` runs this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 PYANNOTE_METRICS_ENABLED=0 STREAMLIT_BROWSER_GATHER_USAGE_STATS=false
exec .venv/bin/python -m pytest -ra "$@"
