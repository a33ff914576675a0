"""The frozen blind set is well-formed: every call loads as a call and every label is allowed."""
import json
from pathlib import Path

import pytest

from qa_pipeline.transcript_io import call_from_json

BLIND = Path(__file__).resolve().parents[1] / "data" / "blind"
ITEMS = {"A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2", "C3", "C4", "C5", "D1", "D2", "D3", "D4", "D5", "E1"}
FILES = sorted(BLIND.glob("*/*.json"))


def test_the_blind_set_has_both_languages():
    assert len(list(BLIND.glob("zh/*.json"))) >= 40 and len(list(BLIND.glob("en/*.json"))) >= 40


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_blind_call_is_well_formed(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    call = call_from_json(data, path)
    assert call.turns and call.language[:2] == path.parent.name
    labels = data["labels"]
    assert isinstance(labels.pop("complaint"), bool)
    assert set(labels) <= ITEMS and all(v in ("pass", "fail", "na") for v in labels.values())
