"""Where the shared test material lives: ../shared beside the checkout (CI has it too)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("QA_SHARED_DIR", REPO.parent / "shared"))
AUDIO = SHARED / "data" / "audio"
EXAMPLES = SHARED / "qa-examples"


def shared_file(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"{path} is missing: the tests read ../shared beside the checkout (or set QA_SHARED_DIR)")
    return path


