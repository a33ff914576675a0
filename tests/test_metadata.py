"""Call metadata: misspelled columns, recordings and rows that find no partner, --strict-metadata."""
from __future__ import annotations

import duckdb
import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from qa_pipeline.cli.main import cli
from qa_pipeline.errors import InputError
from qa_pipeline.metadata import misspelled_columns, read_metadata


@pytest.mark.parametrize("column, meant", [
    ("agentid", "agent_id"), ("agent id", "agent_id"), ("Agent ID", "agent_id"), ("AGENT-ID", "agent_id"),
    ("filename", "file"), ("file name", "file"), ("file_path", "file"), ("callid", "call_id"),
    ("agentname", "agent_name"), ("started", "started_at"), ("ringseconds", "ring_seconds"),
    ("customerid", "customer_id"), ("agent_chanel", "agent_channel"), ("teams", "team"),
])
def test_a_misspelled_column_names_the_one_meant(column, meant):
    base = "file" if meant == "call_id" else "call_id"
    assert misspelled_columns([base, column]) == [(column, meant)]


@pytest.mark.parametrize("columns", [
    ["file", "agent_id", "team", "vip", "campaign", "notes", "duration"],  # extra columns are kept, not doubted
    ["file", "agent_id", "agentid"],  # agent_id is there already: agentid is someone's own column
    [],
])
def test_known_and_unrelated_columns_are_not_doubted(columns):
    assert misspelled_columns(columns) == []


def test_csv_without_file_or_call_id_says_which_column_was_meant(tmp_path):
    meta = tmp_path / "calls.csv"
    meta.write_text("filename,agent_id\na.wav,A1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"did you mean `filename` -> `file`"):
        read_metadata(meta)


def test_matching_counts_recordings_and_rows_without_a_partner(tmp_path):
    meta = tmp_path / "calls.jsonl"
    meta.write_text('{"file": "a.wav", "agent_id": "A1"}\n{"call_id": "b", "agent_id": "A2"}\n'
                    '{"file": "gone.wav", "agent_id": "A3"}\n{"call_id": "ghost"}\n', encoding="utf-8")
    table = read_metadata(meta)
    match = table.match(["a.wav", "sub/b.wav", "c.wav", "d.flac"])
    assert match.unmatched_files == ["c.wav", "d.flac"]
    assert [(line, row.get("file") or row.get("call_id")) for line, row in match.unmatched_rows] == [
        (3, "gone.wav"), (4, "ghost")]  # JSON lines: the line of each object
    text = "\n".join(match.describe(str(meta)))
    assert "2 recording(s) matched no row" in text and "c.wav, d.flac" in text
    assert "2 row(s) of" in text and "line 3 (file gone.wav)" in text and "line 4 (call_id ghost)" in text


# --- qa run, with the fake speech model at the model boundary -------------------------------

@pytest.fixture
def calls_dir(tmp_path, monkeypatch):
    """Three short stereo calls of noise: enough for the batch around a fake speech model."""
    monkeypatch.setenv("QA_FAKE_ASR", "1")
    d = tmp_path / "calls"
    d.mkdir()
    rng = np.random.default_rng(0)
    for name in ("a", "b", "c"):
        sf.write(d / f"{name}.wav", (rng.normal(0, 0.1, (16000, 2))).astype(np.float32), 16000)
    return d


def _run(calls_dir, db, meta, *extra):
    return CliRunner().invoke(cli, ["run", str(calls_dir), "--db", str(db), "--metadata", str(meta),
                                    "--no-score", "--no-diarize", *extra])


def test_qa_run_warns_about_a_misspelled_column_and_unmatched_files_and_rows(calls_dir, tmp_path):
    meta = tmp_path / "calls.csv"
    meta.write_text("file,agentid,team\na.wav,A1,T1\nb.wav,A2,T1\nmissing.wav,A3,T2\n", encoding="utf-8")
    db = tmp_path / "qa.duckdb"
    result = _run(calls_dir, db, meta)
    assert result.exit_code == 0, result.output
    assert "column 'agentid' is not one qa reads; did you mean 'agent_id'?" in result.output
    assert "1 recording(s) matched no row" in result.output and "c.wav" in result.output
    assert "1 row(s) of" in result.output and "line 4 (file missing.wav)" in result.output
    assert "3 calls processed" in result.output
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM calls").fetchone()[0] == 3


@pytest.mark.parametrize("content, said", [
    ("file,agentid,team\na.wav,A1,T1\nb.wav,A2,T1\nc.wav,A3,T1\n", "did you mean 'agent_id'"),
    ("file,agent_id\na.wav,A1\nb.wav,A2\n", "1 recording(s) matched no row"),
    ("file,agent_id\na.wav,A1\nb.wav,A2\nc.wav,A3\nd.wav,A4\n", "1 row(s) of"),
])
def test_strict_metadata_stops_before_processing(calls_dir, tmp_path, content, said):
    meta = tmp_path / "calls.csv"
    meta.write_text(content, encoding="utf-8")
    db = tmp_path / "qa.duckdb"
    result = _run(calls_dir, db, meta, "--strict-metadata")
    assert result.exit_code == 2, result.output
    assert said in result.output and "--strict-metadata: nothing processed" in result.output
    assert not db.exists()


def test_strict_metadata_passes_a_clean_file(calls_dir, tmp_path):
    meta = tmp_path / "calls.csv"
    meta.write_text("file,agent_id,team\na.wav,A1,T1\nb.wav,A2,T1\nc.wav,A3,T2\n", encoding="utf-8")
    db = tmp_path / "qa.duckdb"
    result = _run(calls_dir, db, meta, "--strict-metadata")
    assert result.exit_code == 0, result.output
    assert "metadata:" not in result.output
    with duckdb.connect(str(db), read_only=True) as con:
        assert sorted(con.execute("SELECT call_id, agent_id FROM call_store").fetchall()) == [
            ("a", "A1"), ("b", "A2"), ("c", "A3")]
