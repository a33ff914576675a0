"""The wheel carries everything `qa` needs at run time, and an installed `qa` works without the
source tree: the standard rubrics, the model manifest and the dashboard are package data."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # No build isolation: the build backend (setuptools) is already in the environment and CI has
    # no reason to fetch it again.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                    str(REPO)], check=True, capture_output=True, text=True)
    (built,) = out.glob("qa_pipeline-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """The wheel unpacked into a folder of its own, as `pip install` would put it in site-packages."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, text=True)
    return target


def run_installed(installed: Path, cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """`qa ARGS` from the installed package, in a folder with no source tree, the package found
    first on the path (the dependencies come from this environment)."""
    env = dict(os.environ, PYTHONPATH=str(installed), QA_RUBRICS_DIR="", QA_MODEL_MANIFEST="")
    env.pop("QA_RUBRICS_DIR")
    env.pop("QA_MODEL_MANIFEST")
    return subprocess.run([sys.executable, "-c", "from qa_pipeline.cli.main import main; main()", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, input=stdin, timeout=300)


def test_the_wheel_carries_rubrics_manifest_dashboard_and_every_module(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("qa_pipeline/rubrics/standard-zh.yaml", "qa_pipeline/rubrics/standard-en.yaml",
                   "qa_pipeline/model_manifest/manifest.yaml", "qa_pipeline/dashboards/app.py",
                   "qa_pipeline/demo/scripts/calls_en.yaml", "qa_pipeline/cli/main.py"):
        assert needed in names, f"{needed} is missing from {wheel.name}"
    for page in (REPO / "dashboards" / "views").glob("*.py"):
        assert f"qa_pipeline/dashboards/views/{page.name}" in names
    source = {str(p.relative_to(REPO)) for p in (REPO / "qa_pipeline").rglob("*.py")}
    missing = sorted(p for p in source if p not in names)
    assert not missing, f"modules left out of the wheel (add their package to pyproject.toml's list): {missing}"


def test_pyproject_lists_every_subpackage():
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    packages = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "qa_pipeline").rglob("__init__.py")}
    assert packages <= listed, f"not in pyproject.toml's [tool.setuptools] packages: {sorted(packages - listed)}"


def test_the_installed_package_checks_its_own_standard_rubric(installed, tmp_path):
    for language in ("zh", "en"):
        rubric = installed / "qa_pipeline" / "rubrics" / f"standard-{language}.yaml"
        done = run_installed(installed, tmp_path, "rubric", "check", str(rubric))
        assert done.returncode == 0, done.stderr
    where = run_installed(installed, tmp_path, "models", "list")
    assert where.returncode == 0, where.stderr
    assert "whisper-base" in where.stdout


def test_the_installed_package_imports_scores_and_finds_its_dashboard(installed, tmp_path):
    call = {"call_id": "pkg-1", "language": "en", "agent_id": "A1", "team": "T",
            "started_at": "2026-11-02T09:00:00+00:00", "metadata": {"ring_seconds": 4},
            "turns": [{"speaker": "agent", "start": 0.5, "end": 4.0,
                       "text": "Good morning, Northwind Energy, this is Sam, how can I help you today?"},
                      {"speaker": "customer", "start": 4.5, "end": 7.0, "text": "Hi, I'd like to check my bill."},
                      {"speaker": "agent", "start": 7.5, "end": 10.0,
                       "text": "Thank you for calling, have a good day, goodbye."}]}
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "pkg-1.json").write_text(json.dumps(call), encoding="utf-8")
    db = str(tmp_path / "qa.duckdb")
    done = run_installed(installed, tmp_path, "import", "in", "--db", db)
    assert done.returncode == 0, done.stderr
    done = run_installed(installed, tmp_path, "score", "--db", db)
    assert done.returncode == 0, done.stderr
    code = ("import qa_pipeline, qa_pipeline.package_data as d; print(qa_pipeline.__file__); "
            "print(d.dashboard_app()); print(d.rubrics_dir())")
    env = dict(os.environ, PYTHONPATH=str(installed))
    shown = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                           check=True).stdout.split()
    assert all(Path(p).resolve().is_relative_to(installed.resolve()) for p in shown), shown
    assert Path(shown[1]).is_file()
