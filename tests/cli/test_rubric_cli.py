"""`qa rubric check`, `qa rubric test` and `qa score` run as a user runs them."""
from __future__ import annotations

import json

from click.testing import CliRunner
from shared_data import EXAMPLES, shared_file

from qa_pipeline.cli.main import cli
from qa_pipeline.rubric import rubrics_dir
from qa_pipeline.store import database as store
from qa_pipeline.transcript_io import call_from_json

BAD = """
id: bad
version: "1"
languages: [en]
checks:
  - id: A1
    rule: {type: phrases, phrases: [hello], speaker: boss}
"""


def test_check_accepts_the_standard_rubrics():
    result = CliRunner().invoke(cli, ["rubric", "check", str(rubrics_dir() / "standard-zh.yaml"),
                                      str(rubrics_dir() / "standard-en.yaml")])
    assert result.exit_code == 0, result.output
    assert "standard-zh v" in result.output and "18 checks" in result.output


def test_check_rejects_a_bad_rubric_with_file_check_option(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD, encoding="utf-8")
    result = CliRunner().invoke(cli, ["rubric", "check", str(path)])
    assert result.exit_code == 2
    assert "bad.yaml" in result.output and "check A1" in result.output and "option 'speaker'" in result.output
    assert "one of agent, customer, any" in result.output


def test_rubric_test_reports_passes_and_failures(tmp_path):
    ok = CliRunner().invoke(cli, ["rubric", "test", "-q", str(rubrics_dir() / "standard-en.yaml")])
    assert ok.exit_code == 0 and "expectations met" in ok.output
    path = tmp_path / "r.yaml"
    path.write_text("""
id: r
version: "1"
languages: [en]
checks:
  - id: G
    rule: {type: phrases, phrases: [good morning]}
tests:
  - name: says hello
    turns: [{agent: "Hello!"}]
    expect: {G: pass}
""", encoding="utf-8")
    bad = CliRunner().invoke(cli, ["rubric", "test", str(path)])
    assert bad.exit_code == 1
    assert "FAIL" in bad.output and "says hello" in bad.output and "expected pass, got fail" in bad.output


def test_score_rescoring_stored_calls_keeps_older_versions(tmp_path):
    shared_file("qa-examples")
    db = tmp_path / "qa.duckdb"
    con = store.connect(db)
    paths = sorted(EXAMPLES.glob("*.json"))[:3] + sorted(EXAMPLES.glob("zh-*.json"))[:2]
    for p in paths:
        store.save_call(con, call_from_json(json.loads(p.read_text(encoding="utf-8")), p))
    con.close()
    runner = CliRunner()
    first = runner.invoke(cli, ["score", "--db", str(db), "--jobs", "1"])
    assert first.exit_code == 0, first.output
    assert "5 calls scored" in first.output and "standard-en v" in first.output and "standard-zh v" in first.output

    custom = tmp_path / "mine.yaml"
    custom.write_text((rubrics_dir() / "standard-en.yaml").read_text(encoding="utf-8")
                      .replace('version: "2026.11.1"', 'version: "9"'), encoding="utf-8")
    some = runner.invoke(cli, ["score", "--db", str(db), "--rubric", str(custom), "--calls", "en-ex-01 en-ex-02"])
    assert some.exit_code == 0 and "2 calls scored with standard-en v9" in some.output
    zh = runner.invoke(cli, ["score", "--db", str(db), "--rubric", str(custom), "--calls", "zh-ex-01"])
    assert zh.exit_code == 0 and "1 calls are in a language" in zh.output

    con = store.connect(db, read_only=True)
    rows = con.execute("SELECT rubric_version, count(DISTINCT call_id), count(*) FROM check_results "
                       "GROUP BY 1 ORDER BY 1").fetchall()
    assert rows == [("2026.11.1", 5, 5 * 18), ("9", 3, 3 * 18)]
    e1 = con.execute("SELECT outcome, evidence_text, evidence_speaker, evidence_start FROM check_results "
                     "WHERE call_id = 'zh-ex-01' AND check_id = 'A1'").fetchone()
    assert e1[0] == "pass" and e1[1].startswith("您好") and e1[2] == "agent" and e1[3] == 1.1
    assert con.execute("SELECT count(*) FROM call_results").fetchone()[0] == 8
    con.close()


def test_score_errors_are_one_line(tmp_path):
    db = tmp_path / "empty.duckdb"
    store.connect(db).close()
    result = CliRunner().invoke(cli, ["score", "--db", str(db)])
    assert result.exit_code == 2 and "no stored calls to score" in result.output
