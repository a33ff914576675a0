"""Files the package needs at run time and ships inside the wheel: the standard rubrics, the
model manifest and the dashboard app. Read through ``importlib.resources`` so an installed
``qa`` works without the source tree (the repository keeps them in its top-level ``rubrics/``,
``models/`` and ``dashboards/`` folders; pyproject.toml maps them into the package)."""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _path(package: str, name: str = "") -> Path:
    # Always a directory on disk (the wheel is installed unzipped, editable installs map the
    # repository folders), so a plain Path is safe to hand to Streamlit or a YAML reader.
    where = files(package)
    return Path(str(where.joinpath(name) if name else where))


def rubrics_dir() -> Path:
    """The folder of the standard rubrics (``standard-zh.yaml``, ``standard-en.yaml``)."""
    return _path("qa_pipeline.rubrics")


def model_manifest() -> Path:
    """``manifest.yaml``: every model pack, the packages that carry it and its sha256 values."""
    return _path("qa_pipeline.model_manifest", "manifest.yaml")


def dashboard_app() -> Path:
    """The Streamlit entry script that ``qa dashboard`` runs."""
    return _path("qa_pipeline.dashboards", "app.py")


def demo_script(name: str) -> Path:
    """A scripted demo call set (``calls_en.yaml``) under ``qa_pipeline/demo/scripts``."""
    return _path("qa_pipeline.demo", f"scripts/{name}")
