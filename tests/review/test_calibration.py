"""A centre's evaluations imported (bad rows refused with file, line and what is allowed;
idempotent), and calibration: the learned judgements retrained on the centre's reviews, with
agreement before and after cross-validated by call, a model version kept in the database,
and items with too few reviews keeping their model. A stand-in encoder at the model boundary."""
from __future__ import annotations

import json
import zlib

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from qa_pipeline.cli.main import cli
from qa_pipeline.errors import InputError
from qa_pipeline.records import Call, CallInfo, CallResult, Evidence, Finding, Turn
from qa_pipeline.review import calibration, history, reviews
from qa_pipeline.rubric import encoder as encoders
from qa_pipeline.rubric import learned, parse_rubric, score_call
from qa_pipeline.store import database as store


class WordEncoder:
    """A stand-in for e5: 'restate' and 'neutral' are two directions, any other word a
    hashed direction of its own (so a word the bank never saw can still be learned)."""

    id = "word-test-encoder"
    dim = 32

    def embed(self, texts, *, prefix="query"):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().replace("?", " ").replace(".", " ").replace(",", " ").split():
                if word == "restate":
                    out[i, 0] += 1.0
                elif word == "neutral":
                    out[i, 1] += 1.0
                else:
                    out[i, 2 + zlib.crc32(word.encode()) % (self.dim - 2)] += 0.3
            out[i] /= max(np.linalg.norm(out[i]), 1e-6)
        return out


@pytest.fixture
def encoder(monkeypatch, tmp_path):
    monkeypatch.setenv("QA_EMBEDDINGS_DIR", str(tmp_path / "embeddings"))
    enc = WordEncoder()
    monkeypatch.setattr(encoders, "sentence_encoder", lambda: enc)
    monkeypatch.setattr(encoders, "encoder_status", lambda: f"learned judgements on: {enc.id}")
    yield enc
    learned.use_models([])  # a calibrated model set by a test must not score the next one


WORDS = ("order", "bill", "flight", "car", "parcel", "refund", "card", "plan", "room", "ticket", "sofa", "phone")


@pytest.fixture
def rubric(tmp_path):
    rows = ([{"item": "C2", "label": "pass", "text": f"restate the {w} please"} for w in WORDS[:4]]
            + [{"item": "C2", "label": "fail", "text": f"neutral the {w} please"} for w in WORDS[:4]]
            + [{"item": "B2", "label": "fail", "text": f"restate {w}"} for w in ("you", "again", "now")]
            + [{"item": "B2", "label": "pass", "text": f"neutral {w}"} for w in ("you", "again", "now")])
    bank = tmp_path / "bank.jsonl"
    bank.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return parse_rubric(RUBRIC(bank))


def RUBRIC(bank):
    return ({
        "id": "t", "version": "1", "languages": ["en"],
        "checks": [
            {"id": "C2", "weight": 10,
             "rule": {"type": "learned", "item": "C2", "bank": str(bank), "band": [0.3, 0.7]}},
            {"id": "B2", "critical": True,
             "rule": {"type": "learned", "item": "B2", "bank": str(bank), "target": "fail", "band": [0.3, 0.7]}},
        ]})


def save(con, call_id, agent_text, *, result=None):
    turns = (Turn("agent", 0.0, 2.0, agent_text), Turn("customer", 2.5, 4.0, "Yes, that is it."))
    call = Call(CallInfo(call_id), "en", turns)
    store.save_call(con, call, [result] if result else [])


@pytest.fixture
def con():
    con = store.connect(":memory:")
    yield con
    con.close()


# --- qa reviews import ------------------------------------------------------------------

def test_a_csv_of_evaluations_is_imported_bad_rows_refused_with_line_and_what_is_allowed(con, tmp_path):
    save(con, "call-1", "Hello.")
    save(con, "call-2", "Hello.")
    path = tmp_path / "evaluations.csv"
    path.write_text("call_id,item,outcome,reviewer,comment,reviewed_at\n"
                    "call-1,C2,pass,li.qa,restated it,2026-10-03T14:20:00+08:00\n"
                    "call-9,C2,pass,li.qa,,2026-10-03\n"
                    "call-1,C9,pass,li.qa,,2026-10-03\n"
                    "call-1,B2,yes,li.qa,,2026-10-03\n"
                    "call-2,C2,FAIL,li.qa,\"two\nlines\",2026-10-03\n"
                    "call-2,B2,pass,li.qa,,3 Oct 2026\n"
                    "call-2,B2,na,,,2026-10-03\n", encoding="utf-8")
    report = history.import_reviews(con, path)
    assert (report.imported, report.replaced) == (2, 0)
    problems = [(p.line, p.problem) for p in report.problems]
    assert [line for line, _ in problems] == [3, 4, 5, 8, 9]
    assert "unknown call 'call-9'" in problems[0][1]
    assert "unknown item 'C9'; allowed: A1, A2" in problems[1][1]
    assert problems[1][1].endswith("E1, complaint")  # a bank's own judgements (complaint_aim) are no form item
    assert "outcome 'yes' for item B2; allowed: pass, fail, na" in problems[2][1]
    assert "reviewed_at '3 Oct 2026' is not a date; allowed: ISO 8601" in problems[3][1]
    assert "missing reviewer" in problems[4][1]
    assert str(report.problems[0]).startswith(f"{path}: line 3: ")
    rows = con.execute("SELECT call_id, item, outcome, comment, source_line FROM imported_reviews "
                       "ORDER BY call_id").fetchall()
    assert rows == [("call-1", "C2", "pass", "restated it", 2), ("call-2", "C2", "fail", "two\nlines", 6)]
    when = con.execute("SELECT reviewed_at FROM imported_reviews WHERE call_id = 'call-1'").fetchone()[0]
    assert when.isoformat().startswith("2026-10-03T0") and when.utcoffset() is not None  # 14:20+08:00, kept as a time


def test_re_importing_replaces_rather_than_adds(con, tmp_path):
    save(con, "call-1", "Hello.")
    path = tmp_path / "evaluations.jsonl"
    path.write_text(json.dumps({"call_id": "call-1", "item": "C2", "outcome": "pass", "reviewer": "li",
                                "reviewed_at": "2026-10-03"}) + "\n", encoding="utf-8")
    assert history.import_reviews(con, path).imported == 1
    again = history.import_reviews(con, path)
    assert (again.imported, again.replaced, again.problems) == (0, 1, [])
    assert con.execute("SELECT count(*) FROM imported_reviews").fetchone()[0] == 1


def test_json_lines_problems_and_a_csv_without_the_columns(con, tmp_path):
    save(con, "call-1", "Hello.")
    path = tmp_path / "evaluations.jsonl"
    path.write_text('{"call_id": "call-1", "item": "C2", "outcome": "pass", "reviewer": "li", "reviewed_at": "x"\n'
                    '["call-1"]\n'
                    '{"call_id": "call-1", "item": "C2", "outcome": "pass", "reviewer": "li", '
                    '"reviewed_at": "2026-10-03", "score": 3}\n', encoding="utf-8")
    report = history.import_reviews(con, path)
    assert report.imported == 0
    assert [p.line for p in report.problems] == [1, 2, 3]
    assert "not JSON" in report.problems[0].problem and "a JSON list" in report.problems[1].problem
    assert "unknown field(s) score; allowed: call_id, item" in report.problems[2].problem
    bad = tmp_path / "bad.csv"
    bad.write_text("call,item,outcome\ncall-1,C2,pass\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1: the header lacks call_id, reviewer, reviewed_at"):
        history.import_reviews(con, bad)
    bad.write_text("call_id,item,outcome,reviewer,reviewed_at,score\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1: unknown column.s. score; allowed: call_id, item"):
        history.import_reviews(con, bad)


def test_the_import_command_reports_refused_rows_and_exits_1(tmp_path):
    db = tmp_path / "qa.duckdb"
    with store.opened(db) as con:
        save(con, "call-1", "Hello.")
    path = tmp_path / "evaluations.csv"
    path.write_text("call_id,item,outcome,reviewer,comment,reviewed_at\n"
                    "call-1,C2,pass,li,,2026-10-03\ncall-1,C2,maybe,li,,2026-10-03\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["reviews", "import", str(path), "--db", str(db)])
    assert result.exit_code == 1
    assert f"refused: {path}: line 3: outcome 'maybe' for item C2; allowed: pass, fail, na" in result.stderr
    assert "1 evaluations imported, 0 already there (replaced), 1 rows refused" in result.stdout
    help_text = CliRunner().invoke(cli, ["reviews", "import", "--help"]).output
    assert "Example:" in help_text and "qa reviews import evaluations-2026.csv --db qa.duckdb" in help_text


# --- qa calibrate -----------------------------------------------------------------------

def centre(con, n=20):
    """``n`` calls: the even ones restate the need in a word the bank never saw
    ('paraphrase'), which the centre's reviewers pass; the odd ones do not."""
    for i in range(n):
        word = WORDS[i % len(WORDS)]
        save(con, f"call-{i:02d}", f"Paraphrase paraphrase your {word}?" if i % 2 == 0 else f"Neutral neutral {word}.")
    return [f"call-{i:02d}" for i in range(n)]


def import_rows(con, tmp_path, rows):
    path = tmp_path / "evaluations.jsonl"
    path.write_text("\n".join(json.dumps({"reviewer": "li", "reviewed_at": "2026-10-03", **r}) for r in rows) + "\n",
                    encoding="utf-8")
    assert not history.import_reviews(con, path).problems


def test_calibration_learns_the_centres_way_of_passing_an_item_and_writes_a_model_version(con, tmp_path, rubric,
                                                                                          encoder):
    ids = centre(con)
    import_rows(con, tmp_path, [{"call_id": c, "item": "C2", "outcome": "pass" if i % 2 == 0 else "fail"}
                                for i, c in enumerate(ids)]
                + [{"call_id": c, "item": "B2", "outcome": "pass"} for c in ids[:4]])
    result = calibration.calibrate(con, [rubric], encoder=encoder)
    assert calibration.save(con, result, actor="test") == 1
    c2, b2 = (next(r for r in result.items if r.item == i) for i in ("C2", "B2"))
    assert c2.calls == 20 and c2.target_calls == 10
    assert c2.before == pytest.approx(0.5)  # the bank's model never passes 'paraphrase'
    assert c2.after >= 0.9 and c2.decision == "retrained" and c2.examples == 10 + 10
    assert b2.decision == "kept" and b2.after is None
    assert "too few reviews: 4 reviewed calls (0 fail, 4 not); needs 10" in b2.reason
    assert result.version == 1
    models = calibration.stored_models(con)
    assert set(models) == {("C2", "pass")}  # B2 keeps the bank's model
    assert models[("C2", "pass")].version == "1" and models[("C2", "pass")].encoder_id == encoder.id
    p = models[("C2", "pass")].probabilities(encoder.embed(["Paraphrase paraphrase your sofa?", "Neutral sofa."]))
    assert p[0] > 0.7 and p[1] < 0.3
    report = json.loads(con.execute("SELECT report FROM model_versions WHERE model_version = 1").fetchone()[0])
    assert report["C2"]["decision"] == "retrained" and report["B2"]["decision"] == "kept"
    # Calibrating again measures the version now in use, and keeps it when nothing is gained.
    again = calibration.calibrate(con, [rubric], encoder=encoder)
    assert calibration.save(con, again) is None
    c2_again = next(r for r in again.items if r.item == "C2")
    assert c2_again.before >= 0.9 and c2_again.decision == "kept" and "would not raise agreement" in c2_again.reason
    assert again.version is None and calibration.latest_version(con) == 1


def test_confirmations_and_overrides_are_labels_too_latest_first(con, rubric, encoder):
    ids = centre(con, n=4)
    for c in ids:
        finding = Finding("C2", "fail", Evidence("x", "agent", 0.0, 2.0), rule="test", weight=10)
        store.save_call(con, Call(CallInfo(c), "en", (Turn("agent", 0.0, 2.0, "Hi."),)),
                        [CallResult(c, "t", "1", 0.0, False, (), (finding,))])
    reviews.review_finding(con, ids[0], "C2", reviewer="li", verdict="override", outcome="pass", comment="restated")
    reviews.review_finding(con, ids[1], "C2", reviewer="li", verdict="confirm")
    con.execute("INSERT INTO imported_review_store VALUES (?, 'C2', 'fail', 'old', NULL, '2020-01-01', NULL, NULL, "
                "now())", [ids[0]])
    con.execute("INSERT INTO imported_review_store VALUES (?, 'C2', 'na', 'old', NULL, '2020-01-01', NULL, NULL, "
                "now())", [ids[2]])
    labels = calibration.review_labels(con)
    assert [(lab.call_id, lab.outcome, lab.source) for lab in labels] == [(ids[0], "pass", "override"),
                                                                          (ids[1], "fail", "confirm")]


def test_the_calibrate_command_prints_agreement_per_item_and_the_version(tmp_path, rubric, encoder, monkeypatch):
    db = tmp_path / "qa.duckdb"
    with store.opened(db) as con:
        ids = centre(con)
        import_rows(con, tmp_path, [{"call_id": c, "item": "C2", "outcome": "pass" if i % 2 == 0 else "fail"}
                                    for i, c in enumerate(ids)])
    monkeypatch.setattr("qa_pipeline.cli.calibrate.standard_rubric", lambda language: rubric)
    result = CliRunner().invoke(cli, ["calibrate", "--db", str(db)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["item", "calls", "before", "after", "decision"]
    c2 = next(line for line in lines if line.startswith("C2"))
    assert c2.split()[:3] == ["C2", "20", "50%"] and "retrained" in c2
    b2 = next(line for line in lines if line.startswith("B2"))
    assert "kept: too few reviews: 0 reviewed calls" in b2
    assert f"model version 1 written to {db}" in result.stdout


def test_calibrate_without_an_encoder_says_why(tmp_path, monkeypatch):
    db = tmp_path / "qa.duckdb"
    with store.opened(db):
        pass
    monkeypatch.setattr(encoders, "sentence_encoder", lambda: None)
    monkeypatch.setattr(encoders, "encoder_status", lambda: "learned judgements off: QA_LEARNED=off")
    result = CliRunner().invoke(cli, ["calibrate", "--db", str(db)])
    assert result.exit_code == 2
    assert "cannot calibrate: learned judgements off: QA_LEARNED=off" in result.stderr


def test_scoring_uses_the_centres_latest_model_version_and_names_it(con, tmp_path, rubric, encoder):
    ids = centre(con)
    import_rows(con, tmp_path, [{"call_id": c, "item": "C2", "outcome": "pass" if i % 2 == 0 else "fail"}
                                for i, c in enumerate(ids)])
    new_call = Call(CallInfo("new"), "en", (Turn("agent", 0.0, 2.0, "Paraphrase paraphrase your sofa?"),
                                            Turn("customer", 2.5, 4.0, "Yes.")))
    assert calibration.activate(con) is None  # no version yet: the bank models
    before = next(f for f in score_call(new_call, rubric, sentiment=0.0).findings if f.check_id == "C2")
    assert before.outcome == "fail"
    result = calibration.calibrate(con, [rubric], encoder=encoder)
    stale = calibration.calibrate(con, [rubric], encoder=encoder)
    calibration.save(con, result, actor="test")
    with pytest.raises(calibration.CalibrationError, match="model version 1 was saved while this calibration ran"):
        calibration.save(con, stale)
    assert calibration.activate(con) == 1
    after = next(f for f in score_call(new_call, rubric, sentiment=0.0).findings if f.check_id == "C2")
    assert after.outcome == "pass" and "(model v1)" in after.rule
    b2 = next(f for f in score_call(new_call, rubric, sentiment=0.0).findings if f.check_id == "B2")
    assert "model v" not in b2.rule  # B2 was not calibrated: its bank model


def test_qa_score_uses_the_latest_version_and_the_findings_name_it(tmp_path, rubric, encoder):
    db = tmp_path / "qa.duckdb"
    with store.opened(db) as con:
        ids = centre(con)
        import_rows(con, tmp_path, [{"call_id": c, "item": "C2", "outcome": "pass" if i % 2 == 0 else "fail"}
                                    for i, c in enumerate(ids)])
    rubric_file = tmp_path / "rubric.yaml"
    rubric_file.write_text(yaml.safe_dump(RUBRIC(tmp_path / "bank.jsonl")), encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(cli, ["score", "--db", str(db), "--rubric", str(rubric_file), "--jobs", "1"]).exit_code == 0
    assert runner.invoke(cli, ["calibrate", "--db", str(db), "--rubric", str(rubric_file)]).exit_code == 0
    result = runner.invoke(cli, ["score", "--db", str(db), "--rubric", str(rubric_file), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "learned judgements: this centre's model version 1 (qa calibrate)" in result.stderr
    with store.opened(db, read_only=True) as con:
        outcome, rule = con.execute("SELECT outcome, rule FROM check_results WHERE call_id = 'call-00' "
                                    "AND check_id = 'C2' ORDER BY scored_at DESC LIMIT 1").fetchone()
    assert outcome == "pass" and "(model v1)" in rule


# --- model versions: recorded with each result, history kept, qa run and qa import use the latest ----

def calibrated_centre(db, tmp_path, rubric, encoder):
    """A centre database whose calls were scored with the bank models (model version 0), then
    calibrated once (model version 1)."""
    with store.opened(db) as con:
        ids = centre(con)
        for c in load_ids(con, ids):
            store.save_results(con, [score_call(c, rubric, sentiment=0.0)])
        import_rows(con, tmp_path, [{"call_id": c, "item": "C2", "outcome": "pass" if i % 2 == 0 else "fail"}
                                    for i, c in enumerate(ids)])
        assert calibration.save(con, calibration.calibrate(con, [rubric], encoder=encoder), actor="test") == 1
    return ids


def load_ids(con, ids):
    return list(store.load_calls(con, ids, words=False))


def test_a_re_score_with_a_new_model_version_keeps_the_old_results_as_history(tmp_path, rubric, encoder,
                                                                             monkeypatch):
    db = tmp_path / "qa.duckdb"
    ids = calibrated_centre(db, tmp_path, rubric, encoder)
    rubric_file = tmp_path / "rubric.yaml"
    rubric_file.write_text(yaml.safe_dump(RUBRIC(tmp_path / "bank.jsonl")), encoding="utf-8")
    score_with_rubric = ["score", "--db", str(db), "--rubric", str(rubric_file), "--jobs", "1"]
    assert CliRunner().invoke(cli, score_with_rubric).exit_code == 0
    assert CliRunner().invoke(cli, score_with_rubric).exit_code == 0  # the same version again: no new history
    with store.opened(db, read_only=True) as con:
        # The current results: one per call and rubric version, of model version 1.
        assert con.execute("SELECT model_version, count(*), count(DISTINCT call_id) FROM call_results "
                           "GROUP BY ALL").fetchall() == [(1, 20, 20)]
        assert con.execute("SELECT count(*) FROM check_results WHERE check_id = 'C2' AND model_version = 1"
                           ).fetchone()[0] == 20
        # Every version's: the bank models' result of each call kept beside it.
        by_version = con.execute("SELECT model_version, current, count(*) FROM call_results_by_model "
                                 "GROUP BY ALL ORDER BY model_version").fetchall()
        assert by_version == [(0, False, 20), (1, True, 20)]
        outcomes = dict(con.execute("SELECT model_version, outcome FROM check_results_by_model "
                                    "WHERE call_id = ? AND check_id = 'C2'", [ids[0]]).fetchall())
        assert outcomes == {0: "fail", 1: "pass"}  # 'paraphrase' restates the need: v1 learned it
    # The dashboard's agreement view: each item by model version, against the reviewers' outcomes.
    from qa_pipeline.insights import queries
    from qa_pipeline.insights.filters import CallFilter
    from qa_pipeline.privacy.access import User, Viewer

    agree = queries.agreement_by_model(db, Viewer.of(User("m", "manager")), CallFilter())
    c2 = {row["model"]: row for row in agree.filter(agree["check_id"] == "C2").iter_rows(named=True)}
    assert set(c2) == {"exemplar banks", "v1"} and c2["v1"]["current"] and not c2["exemplar banks"]["current"]
    assert c2["exemplar banks"]["reviewed"] == c2["v1"]["reviewed"] == 20
    assert c2["exemplar banks"]["agreement"] == pytest.approx(0.5) and c2["exemplar banks"]["missed"] == 0
    assert c2["exemplar banks"]["false_alarms"] == 10  # the ten restated in other words: failed, the reviewer passed
    assert c2["v1"]["agreement"] >= 0.9
    # The learned judgements off (no encoder): scored by the rules, model version 0 again; the
    # v1 result goes to history and the earlier v0 history row is replaced, not repeated.
    monkeypatch.setattr(encoders, "sentence_encoder", lambda: None)
    learned.use_models([])
    assert CliRunner().invoke(cli, score_with_rubric).exit_code == 0
    with store.opened(db, read_only=True) as con:
        assert con.execute("SELECT model_version, current, count(*) FROM call_results_by_model "
                           "GROUP BY ALL ORDER BY model_version").fetchall() == [(0, True, 20), (1, False, 20)]
    with store.opened(db) as con:  # a call stored again (a new transcript) starts a new history
        store.save_call(con, Call(CallInfo(ids[0]), "en", (Turn("agent", 0.0, 1.0, "Hello."),)))
        assert con.execute("SELECT count(*) FROM call_results_by_model WHERE call_id = ?", [ids[0]]
                           ).fetchone()[0] == 0


def test_qa_import_and_qa_run_score_with_the_centres_latest_model_version(tmp_path, rubric, encoder, monkeypatch):
    from fake_models import ScriptedTranscriber, write_call

    from qa_pipeline.pipeline import Models, RunOptions, run_batch

    db = tmp_path / "qa.duckdb"
    calibrated_centre(db, tmp_path, rubric, encoder)
    monkeypatch.setattr("qa_pipeline.rubric.standard_rubric_for", lambda call: rubric)
    learned.use_models([])  # as a new process starts: the bank models until the database says otherwise
    transcript = tmp_path / "new.json"
    transcript.write_text(json.dumps({"call_id": "imported", "language": "en", "turns": [
        {"speaker": "agent", "start": 0.0, "end": 2.0, "text": "Paraphrase paraphrase your sofa?"},
        {"speaker": "customer", "start": 2.5, "end": 4.0, "text": "Yes."}]}), encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(transcript), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "learned judgements: this centre's model version 1 (qa calibrate)" in result.stderr
    assert learned.version_in_use() == 0  # the models in use before come back after the import
    calls = tmp_path / "calls"
    calls.mkdir()
    write_call(calls / "recorded.wav")
    heard = ScriptedTranscriber([("agent", 0.5, "Paraphrase paraphrase your sofa?"), ("customer", 5.0, "Yes.")])
    summary = run_batch(calls, db, options=RunOptions(language="en"), models=Models(transcriber=heard))
    assert summary.processed == 1 and summary.model_version == 1
    with store.opened(db, read_only=True) as con:
        rows = con.execute("SELECT call_id, outcome, rule, model_version FROM check_results "
                           "WHERE call_id IN ('imported', 'recorded') AND check_id = 'C2' ORDER BY call_id").fetchall()
        assert [(c, o, v) for c, o, _, v in rows] == [("imported", "pass", 1), ("recorded", "pass", 1)]
        assert all("(model v1)" in rule for _, _, rule, _ in rows)
        assert con.execute("SELECT model_version FROM call_results WHERE call_id = 'recorded'").fetchone()[0] == 1
    # Without a calibrated version, the bank models score (version 0) and 'paraphrase' is not learned.
    other = tmp_path / "other.duckdb"
    with store.opened(other):
        pass
    assert CliRunner().invoke(cli, ["import", str(transcript), "--db", str(other)]).exit_code == 0
    with store.opened(other, read_only=True) as con:
        assert con.execute("SELECT outcome, model_version FROM check_results WHERE check_id = 'C2'").fetchone() == (
            "fail", 0)


def test_calibration_refits_with_the_rubrics_bank_weights_and_counts_the_centre_whole(con, tmp_path, rubric, encoder,
                                                                                    monkeypatch):
    """A rubric whose other-language bank counts 0.4: the base model is the weighted one that
    scoring uses, and every refit counts that bank's exemplars 0.4 and the centre's sentences 1."""
    other = tmp_path / "other.jsonl"
    other.write_text("\n".join(json.dumps({"item": "C2", "label": label, "text": f"{word} le {w}"})
                               for label, word in (("pass", "restate"), ("fail", "neutral")) for w in WORDS[4:8])
                     + "\n", encoding="utf-8")
    spec = RUBRIC(tmp_path / "bank.jsonl")
    spec["checks"][0]["rule"]["bank"] = {str(tmp_path / "bank.jsonl"): 1.0, str(other): 0.4}
    weighted = parse_rubric(spec)
    assert calibration.learned_items([weighted])[0].bank_weights == (1.0, 0.4)
    fits = []
    real_fit = calibration.fit_item_model

    def spy(encoder, texts, y, item, **options):
        fits.append((len(texts), options.get("weights")))
        return real_fit(encoder, texts, y, item, **options)

    monkeypatch.setattr(calibration, "fit_item_model", spy)
    bases = []
    real_base = calibration.item_model

    def base_spy(banks, item, **options):
        bases.append(options.get("weights"))
        return real_base(banks, item, **options)

    monkeypatch.setattr(calibration, "item_model", base_spy)
    ids = centre(con)
    import_rows(con, tmp_path, [{"call_id": c, "item": "C2", "outcome": "pass" if i % 2 == 0 else "fail"}
                                for i, c in enumerate(ids)])
    result = calibration.calibrate(con, [weighted], encoder=encoder, items=["C2"])
    c2 = next(r for r in result.items if r.item == "C2")
    assert c2.decision == "retrained" and c2.after >= 0.9
    assert bases == [(1.0, 0.4)] and len(fits) == calibration.FOLDS + 1
    own, lighter = 8, 8  # each bank's C2 exemplars
    for n, weights in fits:
        assert len(weights) == n
        assert (weights[:own] == 1.0).all() and (weights[own:own + lighter] == 0.4).all()
        assert (weights[own + lighter:] == 1.0).all() and n > own + lighter  # the centre's sentences


def test_a_centres_reviews_earn_the_classifier_its_decisions_where_the_rubric_lets_it_only_flag(con, tmp_path,
                                                                                               encoder):
    """``decides: false`` (bench/learned_gain.py: the bank model did not beat the rules out of
    sample): calibration measures the rules plus flags, and a retrained model that beats them on
    the centre's own reviewed calls decides."""
    rows = ([{"item": "C2", "label": "pass", "text": f"restate the {w} please"} for w in WORDS[:4]]
            + [{"item": "C2", "label": "fail", "text": f"neutral the {w} please"} for w in WORDS[:4]])
    bank = tmp_path / "bank.jsonl"
    bank.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    flags = parse_rubric({"id": "t", "version": "1", "languages": ["en"], "checks": [
        {"id": "C2", "weight": 10, "rule": {"type": "learned", "item": "C2", "bank": str(bank), "band": [0.3, 0.7],
                                            "decides": False}}]})
    restated = Call(CallInfo("new"), "en", (Turn("agent", 0.0, 2.0, "Restate restate the sofa please?"),
                                            Turn("customer", 2.5, 4.0, "Yes.")))
    bank_only = next(f for f in score_call(restated, flags, sentiment=0.0).findings if f.check_id == "C2")
    assert bank_only.outcome == "fail" and bank_only.unsure  # found by the bank model, only flagged
    ids = centre(con)
    import_rows(con, tmp_path, [{"call_id": c, "item": "C2", "outcome": "pass" if i % 2 == 0 else "fail"}
                                for i, c in enumerate(ids)])
    result = calibration.calibrate(con, [flags], encoder=encoder)
    c2 = next(r for r in result.items if r.item == "C2")
    assert c2.before == pytest.approx(0.5) and c2.after >= 0.9 and c2.decision == "retrained"
    assert calibration.save(con, result, actor="test") == 1 and calibration.activate(con) == 1
    new_call = Call(CallInfo("new"), "en", (Turn("agent", 0.0, 2.0, "Paraphrase paraphrase your sofa?"),
                                            Turn("customer", 2.5, 4.0, "Yes.")))
    after = next(f for f in score_call(new_call, flags, sentiment=0.0).findings if f.check_id == "C2")
    assert after.outcome == "pass" and not after.unsure and "(model v1)" in after.rule
