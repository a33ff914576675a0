"""Where the shared test material lives: ../shared beside the checkout, or the folder named by
``QA_SHARED_DIR``. A clone on its own has no such folder: tests that read it are skipped with a
reason naming the folder, except under CI (``CI=true``), where missing shared data fails the run.

Use :func:`shared_file` (or :func:`audio_file`) inside a test or fixture, :func:`shared_files`
to parametrize over a folder, and the ``shared_data(*parts)`` marker on a whole test.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("QA_SHARED_DIR") or REPO.parent / "shared")
AUDIO = SHARED / "data" / "audio"
EXAMPLES = SHARED / "qa-examples"


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def missing(what: str) -> None:
    """Skip the running test because ``what`` is absent, or fail it under CI."""
    reason = (f"{what}: these tests read the shared test data in {SHARED} "
              "(../shared beside the checkout, or set QA_SHARED_DIR to its folder)")
    if under_ci():
        pytest.fail(f"{reason}; CI=true, so missing shared data is a failure", pytrace=False)
    pytest.skip(reason)


def shared_file(*parts: str) -> Path:
    """The path of ``SHARED/parts``; skips the test (fails it under CI) when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        missing(f"{path} is missing")
    return path


def audio_file(name: str) -> Path:
    """A recording in ``SHARED/data/audio``, as :func:`shared_file`."""
    return shared_file("data", "audio", name)


def shared_files(folder: str, pattern: str) -> list:
    """The files matching ``pattern`` in ``SHARED/folder``, for ``pytest.mark.parametrize``.

    When there are none, one parameter marked ``shared_data`` stands in, so the test is skipped
    (failed under CI) with the reason instead of silently collecting no cases.
    """
    paths = sorted((SHARED / folder).glob(pattern))
    if paths:
        return paths
    return [pytest.param(SHARED / folder / pattern, id="shared-data-missing",
                         marks=pytest.mark.shared_data(folder, pattern))]


def check_marker(*parts: str) -> None:
    """What the ``shared_data(*parts)`` marker does before a test: the same as :func:`shared_file`,
    where a last part with ``*`` is a glob that must match at least one file."""
    if parts and "*" in parts[-1]:
        folder = SHARED.joinpath(*parts[:-1])
        if not any(folder.glob(parts[-1])):
            missing(f"no file matches {folder / parts[-1]}")
        return
    shared_file(*parts)
