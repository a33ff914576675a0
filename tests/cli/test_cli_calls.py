"""`qa run`, `qa import`, `qa export`, `qa models` run as a user runs them."""
from __future__ import annotations

import json
import shutil

import duckdb
import polars as pl
import pytest
from click.testing import CliRunner
from shared_data import audio_file, shared_file

from qa_pipeline.cli.main import cli


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def fake_asr(monkeypatch):
    """The speech model is the slow boundary; these tests are about the batch around it."""
    monkeypatch.setenv("QA_FAKE_ASR", "1")


@pytest.fixture
def calls_dir(tmp_path):
    d = tmp_path / "calls"
    (d / "sub").mkdir(parents=True)
    shutil.copy(audio_file("stereo_diarization.wav"), d / "stereo.wav")
    shutil.copy(audio_file("aishell_BAC009S0724W0121.wav"), d / "sub" / "普通话.wav")
    return d


def rows(db_path, sql):
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_run_then_rerun_skips_then_force_redoes(runner, fake_asr, calls_dir, tmp_path):
    db = tmp_path / "qa.duckdb"
    first = runner.invoke(cli, ["run", str(calls_dir), "--db", str(db), "--no-score", "--no-diarize"])
    assert first.exit_code == 0, first.output
    assert "2 calls processed" in first.output
    assert sorted(rows(db, "SELECT call_id, status, channels FROM calls")) == [("stereo", "done", 2), ("普通话", "done", 1)]
    assert {r[0] for r in rows(db, "SELECT DISTINCT speaker FROM turns WHERE call_id = 'stereo'")} == {"agent", "customer"}
    assert rows(db, "SELECT DISTINCT speaker FROM turns WHERE call_id = '普通话'") == [("unknown",)]
    again = runner.invoke(cli, ["run", str(calls_dir), "--db", str(db), "--no-score", "--no-diarize"])
    assert "0 calls processed, 2 unchanged and skipped" in again.output
    (calls_dir / "stereo.wav").write_bytes(audio_file("jfk.flac").read_bytes())  # changed content
    changed = runner.invoke(cli, ["run", str(calls_dir), "--db", str(db), "--no-score", "--no-diarize"])
    assert "1 calls processed, 1 unchanged" in changed.output
    forced = runner.invoke(cli, ["run", str(calls_dir), "--db", str(db), "--no-score", "--no-diarize", "--force"])
    assert "2 calls processed" in forced.output


def test_bad_files_fail_alone_and_the_batch_goes_on(runner, fake_asr, calls_dir, tmp_path):
    (calls_dir / "empty.wav").write_bytes(b"")
    (calls_dir / "notes.wav").write_text("this is a text file named .wav\n" * 10)
    (calls_dir / "truncated.flac").write_bytes(audio_file("jfk.flac").read_bytes()[:300])
    db = tmp_path / "qa.duckdb"
    result = runner.invoke(cli, ["run", str(calls_dir), "--db", str(db), "--no-score", "--no-diarize"])
    assert result.exit_code == 1
    status = dict(rows(db, "SELECT call_id, status FROM calls"))
    assert status == {"stereo": "done", "普通话": "done", "empty": "failed", "notes": "failed", "truncated": "failed"}
    errors = dict(rows(db, "SELECT call_id, error FROM calls WHERE status = 'failed'"))
    assert "empty" in errors["empty"] and "not a readable audio file" in errors["notes"]
    assert "failed:" in result.output and "notes.wav" in result.output


def test_metadata_is_matched_by_file_and_gbk_csv_is_read(runner, fake_asr, calls_dir, tmp_path):
    meta = tmp_path / "calls.csv"
    meta.write_bytes("file,call_id,agent_id,agent_name,team,ring_seconds,started_at,vip\n"
                     "sub/普通话.wav,CN-1,A7,王晓,热线一组,6,2026-10-03T09:14:00+08:00,是\n".encode("gbk"))
    db = tmp_path / "qa.duckdb"
    result = runner.invoke(cli, ["run", str(calls_dir), "--db", str(db), "--metadata", str(meta), "--no-score", "--no-diarize"])
    assert result.exit_code == 0, result.output
    [(agent, name, team, ring, meta_json)] = rows(db, "SELECT agent_id, agent_name, team, ring_seconds, metadata "
                                                     "FROM call_store WHERE call_id = 'CN-1'")
    assert (agent, name, team, ring) == ("A7", "王晓", "热线一组", 6.0)
    assert json.loads(meta_json)["vip"] == "是"


def test_wrong_command_lines_say_how_to_fix(runner, tmp_path):
    missing = runner.invoke(cli, ["run", str(tmp_path / "nope"), "--db", str(tmp_path / "x.duckdb")])
    assert missing.exit_code == 2 and "not a folder" in missing.output
    no_db = runner.invoke(cli, ["run", str(tmp_path)])
    assert no_db.exit_code == 2 and "--db" in no_db.output
    bad_lang = runner.invoke(cli, ["run", str(tmp_path), "--db", "x.duckdb", "--language", "fr"])
    assert bad_lang.exit_code == 2 and "'auto', 'zh', 'en'" in bad_lang.output
    no_export_db = runner.invoke(cli, ["export", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path)])
    assert no_export_db.exit_code == 2 and "qa import" in no_export_db.output


def test_import_then_export_round_trip(runner, tmp_path):
    db = tmp_path / "qa.duckdb"
    result = runner.invoke(cli, ["import", str(shared_file("qa-examples")), "--db", str(db), "--no-score"])
    assert result.exit_code == 0, result.output
    assert "24 calls imported" in result.output
    source = json.loads(shared_file("qa-examples", "en-ex-01.json").read_text(encoding="utf-8"))
    for fmt in ("parquet", "csv", "jsonl"):
        out = tmp_path / fmt
        done = runner.invoke(cli, ["export", "--db", str(db), "--format", fmt, "--out", str(out)])
        assert done.exit_code == 0, done.output
        read = {"parquet": pl.read_parquet, "csv": pl.read_csv, "jsonl": pl.read_ndjson}[fmt]
        calls = read(out / f"calls.{fmt}")
        turns = read(out / f"turns.{fmt}").filter(pl.col("call_id") == "en-ex-01").sort("turn")
        assert calls.height == 24
        assert turns["speaker"].to_list() == [t["speaker"] for t in source["turns"]]
        assert turns["start"].to_list() == pytest.approx([t["start"] for t in source["turns"]])
        assert (out / f"words.{fmt}").exists() and (out / f"check_results.{fmt}").exists()


def test_import_reports_bad_json_and_keeps_the_rest(runner, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(shared_file("qa-examples", "zh-ex-01.json"), folder / "good.json")
    (folder / "broken.json").write_text('{"call_id": "x", "turns": [', encoding="utf-8")
    (folder / "wrong.json").write_text(json.dumps({"call_id": "y", "turns": [{"speaker": "robot", "text": "hi"}]}))
    db = tmp_path / "qa.duckdb"
    result = runner.invoke(cli, ["import", str(folder), "--db", str(db), "--no-score"])
    assert result.exit_code == 1
    assert "broken.json: not valid JSON" in result.output
    assert "wrong.json" in result.output and "robot" in result.output
    assert rows(db, "SELECT call_id FROM calls") == [("zh-ex-01",)]


def _transcript(call_id: str, said: str = "my parcel never came") -> dict:
    return {"call_id": call_id, "language": "en", "turns": [
        {"speaker": "agent", "start": 0, "end": 2, "text": "Thank you for calling, this is Ann."},
        {"speaker": "customer", "start": 2, "end": 4, "text": f"Hello, {said}."}]}


def test_import_says_which_call_id_came_twice_and_keeps_the_later(runner, tmp_path):
    src = tmp_path / "calls.json"
    src.write_text(json.dumps([_transcript("x", "first"), _transcript("y"), _transcript("x", "second")]))
    db = tmp_path / "qa.duckdb"
    result = runner.invoke(cli, ["import", str(src), "--db", str(db), "--no-score"])
    assert result.exit_code == 0, result.output
    assert (f"repeated: {src} [item 2]: call id 'x' was read before, at {src} [item 0]; the later one replaces it"
            in result.output)
    assert "2 calls imported" in result.output
    assert rows(db, "SELECT text FROM turns WHERE call_id = 'x' AND speaker = 'customer'") == [("Hello, second.",)]


def test_ctrl_c_in_an_import_says_what_was_saved_and_a_rerun_completes_it(runner, tmp_path, monkeypatch):
    """Ctrl-C while DuckDB writes the second group: DuckDB raises "Query interrupted" and the
    group is rolled back (here: never written); the first group stays."""
    from qa_pipeline import pipeline

    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(5):
        (folder / f"t{n}.json").write_text(json.dumps(_transcript(f"t{n}")))
    monkeypatch.setattr(pipeline, "STORE_GROUP_MAX", 2)
    real, saves = pipeline.store.save_calls, []

    def save_then_interrupted(con, items, **kwargs):
        items = list(items)
        saves.append([call.call_id for call, _ in items])
        if len(saves) == 2:
            raise RuntimeError("Query interrupted")  # what DuckDB raises on SIGINT (tests/cli/test_run_edges.py)
        return real(con, items, **kwargs)

    monkeypatch.setattr(pipeline.store, "save_calls", save_then_interrupted)
    db = tmp_path / "qa.duckdb"
    stopped = runner.invoke(cli, ["import", str(folder), "--db", str(db), "--no-score"])
    assert saves == [["t0", "t1"], ["t2", "t3"]]  # the writer's one store path, patched above
    assert stopped.exit_code == 130, stopped.output
    assert "Interrupted: 2 calls imported from 2 of 5 files" in stopped.output
    assert "Run the same command again" in stopped.output and "Aborted!" not in stopped.output
    assert rows(db, "SELECT call_id FROM calls ORDER BY call_id") == [("t0",), ("t1",)]

    monkeypatch.setattr(pipeline.store, "save_calls", real)
    again = runner.invoke(cli, ["import", str(folder), "--db", str(db), "--no-score"])
    assert again.exit_code == 0 and "5 calls imported" in again.output
    assert rows(db, "SELECT count(*), count(DISTINCT call_id) FROM calls") == [(5, 5)]


def test_models_list_verify_and_path(runner):
    listing = runner.invoke(cli, ["models", "list"])
    assert "whisper-base" in listing.output and "*" in listing.output
    path = runner.invoke(cli, ["models", "path"])
    assert path.exit_code == 0 and path.output.strip().endswith("whisper-base")
    assert runner.invoke(cli, ["models", "verify", "whisper-base"]).output.strip() == "whisper-base: ok"
    unknown = runner.invoke(cli, ["models", "path", "nope"])
    assert unknown.exit_code == 2 and "known:" in unknown.output


def test_csv_export_neutralises_spreadsheet_formulas(runner, tmp_path):
    src = tmp_path / "hostile.json"
    src.write_text(json.dumps({"call_id": "h1", "language": "en", "turns": [
        {"speaker": "customer", "start": 0, "end": 1, "text": "=HYPERLINK(\"http://x\",\"click\")"}]}))
    db = tmp_path / "qa.duckdb"
    assert runner.invoke(cli, ["import", str(src), "--db", str(db), "--no-score"]).exit_code == 0
    assert runner.invoke(cli, ["export", "--db", str(db), "--format", "csv", "--out", str(tmp_path / "o")]).exit_code == 0
    text = pl.read_csv(tmp_path / "o" / "turns.csv")["text"][0]
    assert text.startswith("'=HYPERLINK")


def test_hostile_json_and_csv_get_one_line_errors(runner, fake_asr, calls_dir, tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    result = runner.invoke(cli, ["import", str(deep), "--db", str(tmp_path / "a.duckdb")])
    assert result.exit_code == 1 and "nested too deeply" in result.output
    meta = tmp_path / "big.csv"
    meta.write_text("file,call_id,note\nstereo.wav,x,\"" + "y" * 200_000 + "\"\n")
    result = runner.invoke(cli, ["run", str(calls_dir), "--db", str(tmp_path / "b.duckdb"), "--metadata", str(meta)])
    assert result.exit_code == 2 and "big.csv" in result.output and "not readable as CSV" in result.output


def test_looping_link_and_folder_named_wav(runner, fake_asr, calls_dir, tmp_path):
    (calls_dir / "loop.wav").symlink_to(calls_dir / "loop.wav")
    (calls_dir / "folder.wav").mkdir()
    db = tmp_path / "qa.duckdb"
    result = runner.invoke(cli, ["run", str(calls_dir), "--db", str(db), "--no-score", "--no-diarize"])
    assert result.exit_code == 1
    assert dict(rows(db, "SELECT call_id, error FROM calls WHERE status = 'failed'")) == {
        "loop": "a symbolic link that loops back on itself"}
    assert runner.invoke(cli, ["run", str(calls_dir), "--db", str(db), "--max-hours", "-1"]).exit_code == 2
