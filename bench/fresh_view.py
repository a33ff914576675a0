"""The written hold-outs as fresh calls met them: each folder with the rubric of the commit it was last
never tuned at.

A hold-out folder is written and labelled before the scorer runs on it and carries ``NEVER_TUNED`` for
one round; the next round deletes that file and tunes on it. Its calls are fresh calls only for the rules
of the commit just before that deletion. Scoring a tuned folder with today's rules overstates what a
rule or a bar does on calls nobody has read (the rules already catch what was written from them); scoring
each folder with the rubric and exemplar banks of ``FRESH[(lang, folder)]`` (the parent of the commit that
removed its ``NEVER_TUNED``: ``git log --diff-filter=D -- tests/data/dev_LANG/holdoutK/NEVER_TUNED``) is
the honest reading of a fit. Folders 2–6 predate the ``NEVER_TUNED`` file and are not listed.

    >>> sorted({lang for lang, _ in FRESH})
    ['en', 'zh']
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from complaint_transfer import rubric_at, rubric_path_at  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
# Where the benches unpack the old commits' rubrics and banks (kept between runs: their banks' embeddings
# are cached by text, the unpacking by commit).
WORKDIR = Path(tempfile.gettempdir()) / "qa-fresh-rubrics"
# The commit each hold-out was last fresh at, both languages alike (one round's hold-outs were made together).
_FRESH_AT = {"holdout7": "7b8b440", "holdout8": "9ba1aac", "holdout9": "4854477",
             "holdout10": "bbe8720", "holdout11": "c7f47b5", "holdout12": "bd34122",
             "holdout13": "ccd216b", "holdout14": "731f351",
             "holdout15": "569a41a", "holdout16": "88f82cf"}
FRESH = {(lang, folder): commit for lang in ("zh", "en") for folder, commit in _FRESH_AT.items()}


def fresh_folders(lang: str) -> list[tuple[Path, str]]:
    """(folder, commit) for every hold-out of ``lang`` that is a tuning set now and has a fresh commit."""
    out = []
    for (lg, name), commit in FRESH.items():
        folder = DATA / f"dev_{lang}" / name
        if lg == lang and folder.is_dir() and not (folder / "NEVER_TUNED").exists():
            out.append((folder, commit))
    return out


def fresh_rubric_path(lang: str, folder: Path, workdir: Path) -> Path:
    """The file of the standard rubric of ``lang`` as the calls of ``folder`` first met it."""
    return rubric_path_at(FRESH[(lang, folder.name)], lang, workdir)


def fresh_rubric(lang: str, folder: Path, workdir: Path):
    """The standard rubric of ``lang`` (with its exemplar banks) as the calls of ``folder`` first met it."""
    return rubric_at(FRESH[(lang, folder.name)], lang, workdir)
