"""The public library surface, and the README's library example run as a user would, with a
scripted transcriber in place of the speech model (the model boundary)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from fake_models import ScriptedTranscriber, write_call

import qa_pipeline

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_example() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Use it as a library", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_library_example_runs(tmp_path, monkeypatch, capsys):
    code = readme_example()
    assert len(code.strip().splitlines()) <= 12, "the README's library example stays about ten lines"
    # The one change: the scripted fake instead of the speech model, injected as a user would.
    assert code.count("Models(options)") == 1
    code = code.replace("Models(options)", "Models(options, transcriber=ScriptedTranscriber())")
    (tmp_path / "calls").mkdir()
    write_call(tmp_path / "calls" / "0001.wav")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {"ScriptedTranscriber": ScriptedTranscriber})
    out = capsys.readouterr().out
    assert re.search(r"0\.5s +agent: Thank you for calling Acme, my name is Sarah", out)
    assert re.search(r"5\.0s +customer: Hi, I would like to check my last bill please\.", out)
    assert re.search(r"^score \d+", out, re.M)
    assert re.search(r"^\S+ (pass|fail|na)", out, re.M)


def test_public_names_resolve_to_their_modules():
    from qa_pipeline import pipeline, records, rubric
    from qa_pipeline.store import database

    assert qa_pipeline.process_call is pipeline.process_call
    assert qa_pipeline.run_batch is pipeline.run_batch
    assert qa_pipeline.Models is pipeline.Models and qa_pipeline.RunOptions is pipeline.RunOptions
    assert qa_pipeline.score_call is rubric.score_call and qa_pipeline.load_rubric is rubric.load_rubric
    assert qa_pipeline.connect is database.connect
    assert qa_pipeline.Call is records.Call and qa_pipeline.CallResult is records.CallResult
    assert set(qa_pipeline.__all__) == {"__version__", *qa_pipeline._WHERE}
    for name in qa_pipeline.__all__:
        assert getattr(qa_pipeline, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        qa_pipeline.nothing_here  # noqa: B018


def test_importing_the_package_loads_nothing_heavy():
    code = ("import sys, qa_pipeline; "
            "print(sorted(m for m in sys.modules if m.startswith(('qa_pipeline.', 'numpy', 'duckdb', 'av'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
