"""What a batch stored, for comparing two runs over the same calls."""
from __future__ import annotations

from pathlib import Path

import duckdb


def snapshot(db: Path) -> dict:
    """Everything stored about calls, minus processing times, in a stable order."""
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            "calls": con.execute("SELECT call_id, source_path, sha256, duration, channels, language, status, error "
                                 "FROM calls ORDER BY call_id").fetchall(),
            "turns": con.execute("SELECT * FROM turns ORDER BY call_id, turn").fetchall(),
            "words": con.execute("SELECT * FROM words ORDER BY call_id, turn, word").fetchall(),
            "checks": con.execute(
                "SELECT call_id, rubric_id, rubric_version, check_id, outcome, critical, weight, evidence_text, "
                "evidence_speaker, evidence_start, evidence_end, rule FROM check_store ORDER BY ALL").fetchall(),
            "results": con.execute(
                "SELECT call_id, rubric_id, rubric_version, score, flagged, flag_reasons, complaint, critical_fail "
                "FROM result_store ORDER BY ALL").fetchall(),
            "metrics": con.execute("SELECT * FROM metric_store ORDER BY call_id").fetchall(),
            "redacted": con.execute("SELECT count(*) FROM call_store WHERE NOT redacted").fetchone()[0],
        }
