"""DuckDB storage: migrations, whole-or-nothing saves, failures that keep earlier work."""
from __future__ import annotations

import duckdb
import pytest
from older_database import database_at

from qa_pipeline.records import Call, CallFailure, CallInfo, Turn, Word
from qa_pipeline.store import database as store
from qa_pipeline.store.migrations import MIGRATIONS, latest_version


def make_call(call_id="c1", text="您好，这里是客服中心") -> Call:
    words = (Word(0.5, 0.9, "您好", 0.9, "agent"), Word(0.9, 2.0, "这里是客服中心", 0.8, "agent"))
    turns = (Turn("agent", 0.5, 2.0, text, words), Turn("customer", 2.5, 3.0, "你好", ()))
    return Call(CallInfo(call_id, source_path=f"/calls/{call_id}.wav", agent_id="A1", team="一组",
                         started_at="2026-10-03T09:14:00+08:00", metadata={"ring_seconds": 4, "queue": "q"}),
                "zh", turns, sha256="ab" * 32, duration=3.0, channels=2, sample_rate=8000)


def test_fresh_database_has_every_migration_and_public_view(db):
    versions = [r[0] for r in db.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()]
    assert versions == [m.version for m in MIGRATIONS]
    for view in ("calls", "turns", "words", "check_results", "call_results"):
        db.execute(f"SELECT * FROM {view} LIMIT 0")


def test_save_and_load_round_trip(db):
    store.save_call(db, make_call())
    [call] = list(store.load_calls(db))
    assert call.call_id == "c1" and call.language == "zh" and call.info.ring_seconds == 4
    assert [t.text for t in call.turns] == ["您好，这里是客服中心", "你好"]
    assert call.turns[0].words[1].text == "这里是客服中心"
    assert db.execute("SELECT speaker, \"start\", \"end\" FROM turns ORDER BY turn").fetchall() == [
        ("agent", 0.5, 2.0), ("customer", 2.5, 3.0)]


def test_saving_again_replaces_the_call(db):
    store.save_call(db, make_call())
    store.save_call(db, make_call(text="新的文本"))
    assert db.execute("SELECT count(*) FROM turns").fetchone()[0] == 2
    assert db.execute("SELECT text FROM turns WHERE turn = 0").fetchone()[0] == "新的文本"


def test_a_failed_save_leaves_nothing_half_stored(db, monkeypatch):
    store.save_call(db, make_call("c0"))
    original = store._bulk_insert

    def broken(con, table, rows, columns):
        if table == "word_store":
            raise duckdb.IOException("disk full")
        return original(con, table, rows, columns)

    monkeypatch.setattr(store, "_bulk_insert", broken)
    with pytest.raises(duckdb.IOException):
        store.save_call(db, make_call("c1"))
    assert db.execute("SELECT call_id FROM calls").fetchall() == [("c0",)]
    assert db.execute("SELECT count(*) FROM turns WHERE call_id = 'c1'").fetchone()[0] == 0


def test_failure_row_does_not_erase_an_earlier_good_version(db):
    store.save_call(db, make_call())
    store.save_failure(db, CallFailure("c1", "/calls/c1.wav", "the file is empty (0 bytes)"))
    status, error = db.execute("SELECT status, error FROM calls").fetchone()
    assert status == "done" and "empty" in error
    store.save_failure(db, CallFailure("c2", "/calls/c2.wav", "not a readable audio file"))
    assert db.execute("SELECT status FROM calls WHERE call_id = 'c2'").fetchone()[0] == "failed"


def test_newer_database_is_refused(tmp_path):
    path = tmp_path / "new.duckdb"
    with store.opened(path) as con:
        con.execute("INSERT INTO schema_migrations (version, description) VALUES (999, 'future')")
    with pytest.raises(store.StoreError, match="newer version"):
        store.connect(path)


def test_unusable_paths_give_clear_errors(tmp_path):
    with pytest.raises(store.StoreError, match="does not exist"):
        store.connect(tmp_path / "missing" / "qa.duckdb")
    not_db = tmp_path / "text.duckdb"
    not_db.write_text("hello")
    with pytest.raises(store.StoreError):
        store.connect(not_db)


def test_results_stay_one_row_per_check_when_scored_again(db):
    """check_store has no key index (migration 6): the writer keeps it unique."""
    from qa_pipeline.rescoring import rescore
    from qa_pipeline.rubric import score_call, standard_rubric

    call = make_call()
    rubric = standard_rubric("zh")
    store.save_call(db, call, [score_call(call, rubric)])
    store.save_results(db, [score_call(call, rubric)])
    rescore(db)
    rescore(db, jobs=2, batch=1)
    counts = db.execute("SELECT check_id, count(*) FROM check_results GROUP BY check_id").fetchall()
    assert counts and {n for _, n in counts} == {1}
    assert len(counts) == len(rubric.checks)


def test_results_survive_the_migrations_that_drop_their_keys(tmp_path):
    path = tmp_path / "v5.duckdb"
    con = database_at(path, 5)
    con.execute("INSERT INTO check_store VALUES ('c1', 'standard-zh', '1', 'A1', 'pass', false, 10, '您好', 'agent', "
                "0.5, 2.0, 'greeting', now())")
    con.execute("INSERT INTO result_store VALUES ('c1', 'standard-zh', '1', 100, false, [], false, false, now())")
    con.execute("INSERT INTO metric_store (call_id, talk_ratio, customer_sentiment) VALUES ('c1', 0.5, 0.2)")
    con.close()
    with store.opened(path) as con:
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == latest_version()
        assert con.execute("SELECT call_id, check_id, outcome, evidence_text FROM check_results").fetchall() == [
            ("c1", "A1", "pass", "您好")]
        assert con.execute("SELECT count(*) FROM final_check_results").fetchone()[0] == 1
        assert con.execute("SELECT call_id, score FROM call_results").fetchall() == [("c1", 100.0)]
        assert con.execute("SELECT call_id, talk_ratio, customer_sentiment FROM call_metrics").fetchall() == [
            ("c1", 0.5, 0.2)]
        # stored before metric versions were kept: computed again when re-scored
        assert con.execute("SELECT metrics_version FROM metric_store").fetchone()[0] is None
        # rebuilt without key indexes, the key columns still refuse NULL
        required = {(t, c) for t, c, nullable in con.execute(
            "SELECT table_name, column_name, is_nullable FROM information_schema.columns "
            "WHERE table_name IN ('check_store', 'result_store', 'metric_store')").fetchall() if nullable == "NO"}
        assert {("check_store", "check_id"), ("result_store", "rubric_version"), ("metric_store", "call_id")} <= required
        assert not con.execute("SELECT * FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' AND "
                               "table_name IN ('check_store', 'result_store', 'metric_store')").fetchall()
        assert con.execute("SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' "
                           "AND table_name = 'call_store'").fetchone()[0] == 1  # the query is able to see one


def test_a_call_scored_twice_in_one_write_is_stored_once_with_its_last_result(db):
    from dataclasses import replace

    from qa_pipeline.rubric import score_call, standard_rubric

    call = make_call()
    rubric = standard_rubric("zh")
    first = score_call(call, rubric)
    second = replace(first, score=12.5, findings=first.findings[:3])
    store.save_call(db, call)
    store.save_results(db, [first, second])  # one list
    assert db.execute("SELECT score FROM call_results").fetchall() == [(12.5,)]
    assert db.execute("SELECT count(*) FROM check_results").fetchone()[0] == 3
    with store.transaction(db):  # several parts: the last one counts
        store.write_result_rows(db, [store.result_rows([first]), store.result_rows([second]),
                                     store.result_rows([first])])
    assert db.execute("SELECT score FROM call_results").fetchall() == [(first.score,)]
    assert db.execute("SELECT count(*) FROM check_results").fetchone()[0] == len(first.findings)
    assert db.execute("SELECT count(*) FROM call_metrics").fetchone()[0] == 1


def test_call_metrics_view_keeps_its_documented_columns(db):
    columns = [r[0] for r in db.execute("DESCRIBE call_metrics").fetchall()]
    assert columns == ["call_id", "agent_talk_seconds", "customer_talk_seconds", "talk_ratio",
                       "longest_silence_seconds", "silences_over_5s", "agent_talkovers", "speech_rate",
                       "speech_rate_unit", "first_agent_words_seconds", "customer_sentiment"]


def _stored_rows(con) -> dict:
    tables = {"call_store": "* EXCLUDE (processed_at)", "turn_store": "* EXCLUDE (stored_at)",
              "word_store": "* EXCLUDE (stored_at)", "turn_norm_store": "*",
              "check_store": "* EXCLUDE (scored_at)", "result_store": "* EXCLUDE (scored_at)", "metric_store": "*"}
    return {t: con.execute(f"SELECT {cols} FROM {t} ORDER BY ALL").fetchall() for t, cols in tables.items()}


def test_save_call_and_save_calls_store_the_same_rows():
    """One write path: a call saved alone and the same call saved in a batch are stored alike,
    every column of every table (named columns, whatever the tables' column order)."""
    from qa_pipeline.rubric import score_call, standard_rubric

    calls = [make_call("c1"), make_call("c2", text="请问您的订单号是多少"),
             Call(CallInfo("c3", agent_id="A2"), "zh", ())]  # a call without turns keeps no normalised texts
    results = {c.call_id: [score_call(c, standard_rubric("zh"))] for c in calls}
    norms = {c.call_id: (c.call_id, 3, [t.text.lower() for t in c.turns]) for c in calls}
    one, many = store.connect(":memory:"), store.connect(":memory:")
    for call in calls:
        store.save_call(one, call, results[call.call_id], norms=norms[call.call_id])
    assert store.save_calls(many, [(c, results[c.call_id]) for c in calls], norms=norms.values()) == 3
    assert _stored_rows(one) == _stored_rows(many)
    rows = _stored_rows(one)
    assert rows["turn_norm_store"] == [("c1", 3, ["您好，这里是客服中心", "你好"]), ("c2", 3, ["请问您的订单号是多少", "你好"])]
    assert [r[:2] for r in rows["call_store"]] == [("c1", "/calls/c1.wav"), ("c2", "/calls/c2.wav"), ("c3", None)]
    assert {r[0] for r in rows["result_store"]} == {"c1", "c2", "c3"}


def test_normalised_turns_are_stored_as_the_scorer_hands_them(db):
    """Storage does not normalise: without ``norms`` a call keeps none (re-scoring makes them),
    with them it keeps exactly what it was given, under the given normaliser version."""
    store.save_call(db, make_call("c1"))
    assert db.execute("SELECT count(*) FROM turn_norm_store").fetchone()[0] == 0
    store.save_call(db, make_call("c1"), norms=("c1", 9, ["a", "b"]))
    assert db.execute("SELECT call_id, normalizer, texts FROM turn_norm_store").fetchall() == [("c1", 9, ["a", "b"])]
    rows = store.fetch_call_rows(db, normalizer=9)
    assert rows.norms(0) == ["a", "b"]
    assert store.fetch_call_rows(db, normalizer=8).norms(0) is None  # another normaliser's texts are not used


def test_storage_imports_no_layer_above_it():
    """Storage knows neither the scorer nor the review actions it stores."""
    import ast
    from pathlib import Path

    import qa_pipeline.store

    above = ("qa_pipeline.rubric", "qa_pipeline.review", "qa_pipeline.insights", "qa_pipeline.pipeline",
             "qa_pipeline.demo", "qa_pipeline.cli", "dashboards")
    found = []
    for path in Path(qa_pipeline.store.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{path.name}: {n}" for n in names if n.startswith(above)]
    # Still to go: the scorer's metrics version, read where metrics are written and reused
    # (it has to travel with the results, in qa_pipeline.records, to be handed over).
    assert sorted(set(found)) == ["results.py: qa_pipeline.rubric.metrics"]


def test_an_old_database_gets_the_embedding_table_and_keeps_its_calls(tmp_path):
    path = tmp_path / "v9.duckdb"
    con = database_at(path, 9)
    con.execute("INSERT INTO call_store (call_id, status) VALUES ('old', 'done')")
    con.close()
    with store.opened(path) as con:
        assert 11 in [r[0] for r in con.execute("SELECT version FROM schema_migrations").fetchall()]
        assert con.execute("SELECT call_id FROM calls").fetchall() == [("old",)]
        assert store.stored_embeddings(con, None, "any")[1].shape == (0, 384)
    assert (tmp_path / "v9.duckdb.v9.bak").exists()


def test_sentence_vectors_stored_before_clause_rows_are_read_as_whole_sentences(tmp_path):
    import numpy as np

    path = tmp_path / "v18.duckdb"
    con = database_at(path, 18)
    con.execute("INSERT INTO turn_embedding_store (call_id, turn, sentence, encoder_id, text_hash, vector) "
                "VALUES ('old', 0, 1, 'enc/1', 7, ?)", [np.ones(384, dtype=np.float32).tolist()])
    con.close()
    with store.opened(path) as con:
        assert con.execute("SELECT turn, sentence, clause FROM turn_embedding_store").fetchall() == [(0, 1, 0)]
        assert store.stored_embeddings(con, ["old"], "enc/1")[0].tolist() == [7]


def test_embeddings_are_saved_with_the_call_and_read_back_by_encoder(db):
    import numpy as np

    vec = np.linspace(-1, 1, 384, dtype=np.float32)
    rows = [("c1", 0, 0, 0, "enc/1", 11, vec), ("c1", 0, 1, 0, "enc/1", 12, -vec), ("c1", 1, 0, 0, "enc/0", 13, vec),
            ("c1", 5, 0, 0, "enc/1", 14, vec),  # no such turn: not stored
            ("c1", 1, 1, 0, "enc/1", 15, vec[:16])]  # another size than the table's: not stored
    store.save_call(db, make_call(), embeddings=rows)
    hashes, vectors = store.stored_embeddings(db, ["c1"], "enc/1")
    order = np.argsort(hashes)
    assert hashes[order].tolist() == [11, 12] and vectors.dtype == np.float32
    assert np.array_equal(vectors[order], np.stack([vec, -vec]))
    assert store.stored_embeddings(db, ["other"], "enc/1")[0].tolist() == []
    store.save_call(db, make_call())  # the call saved again without them: its old vectors go
    assert db.execute("SELECT count(*) FROM turn_embedding_store").fetchone()[0] == 0


def test_re_scoring_rows_replace_the_same_sentence_and_drop_another_encoders(db):
    import numpy as np

    from qa_pipeline.store.embeddings import EMBEDDING_COLUMNS, write_embedding_rows
    from qa_pipeline.store.rows import columns_of

    vec = np.ones(384, dtype=np.float32)
    store.save_call(db, make_call(), embeddings=[("c1", 0, 0, 0, "enc/1", 1, vec), ("c1", 1, 0, 0, "enc/1", 2, vec)])
    store.save_call(db, make_call("c2"), embeddings=[("c2", 0, 0, 0, "enc/1", 1, vec)])
    with store.transaction(db):
        write_embedding_rows(db, columns_of([("c1", 0, 0, 0, "enc/2", 3, vec * 2)], EMBEDDING_COLUMNS))
    assert db.execute("SELECT call_id, turn, encoder_id, text_hash FROM turn_embedding_store "
                      "ORDER BY call_id, turn").fetchall() == [("c1", 0, "enc/2", 3), ("c2", 0, "enc/1", 1)]


def test_a_clause_row_is_kept_beside_its_sentence_and_read_back_alike(db):
    import numpy as np

    from qa_pipeline.store.embeddings import EMBEDDING_COLUMNS, write_embedding_rows
    from qa_pipeline.store.rows import columns_of

    vec = np.ones(384, dtype=np.float32)
    store.save_call(db, make_call(), embeddings=[("c1", 0, 0, 0, "enc/1", 1, vec), ("c1", 0, 0, 1, "enc/1", 2, -vec),
                                                 ("c1", 0, 0, 2, "enc/1", 3, vec * 2)])
    hashes, vectors = store.stored_embeddings(db, None, "enc/1")
    assert sorted(hashes.tolist()) == [1, 2, 3]
    with store.transaction(db):  # clause 1 made again: it replaces clause 1 only
        write_embedding_rows(db, columns_of([("c1", 0, 0, 1, "enc/1", 4, vec)], EMBEDDING_COLUMNS))
    assert db.execute("SELECT sentence, clause, text_hash FROM turn_embedding_store ORDER BY clause").fetchall() == [
        (0, 0, 1), (0, 1, 4), (0, 2, 3)]


def test_a_migration_merged_after_a_higher_one_is_still_applied(tmp_path, monkeypatch):
    # Branches number their migrations apart (this one took 11 while another took 10): a database
    # made where the next-to-last was not merged yet gets it when it is.
    from qa_pipeline.store import migrations

    path = tmp_path / "qa.duckdb"
    # Not 15: migration 17 rebuilds a view over the history tables 15 makes.
    late = next(m for m in reversed(MIGRATIONS[:-1]) if m.version != 15)
    monkeypatch.setattr(migrations, "MIGRATIONS", [m for m in MIGRATIONS if m is not late])
    store.connect(path).close()
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS)
    with store.opened(path) as con:
        versions = [r[0] for r in con.execute("SELECT version FROM schema_migrations").fetchall()]
    assert sorted(versions) == sorted(m.version for m in MIGRATIONS) and versions[-1] == late.version
    assert (tmp_path / f"qa.duckdb.v{latest_version()}.bak").exists()


def test_a_side_left_without_words_stays_flagged_after_re_scoring(db):
    """The speech coverage is stored with the call (migration 13), so `qa score` keeps the flag."""
    import dataclasses

    from qa_pipeline.records import SideCoverage
    from qa_pipeline.rescoring import rescore
    from qa_pipeline.rubric import score_call, standard_rubric

    coverage = (SideCoverage("agent", 30.0, 1.0), SideCoverage("customer", 40.0, 30.0))
    call = dataclasses.replace(make_call(), coverage=coverage)
    store.save_call(db, call, [score_call(call, standard_rubric("zh"))])
    [loaded] = list(store.load_calls(db))
    assert loaded.coverage == coverage
    rescore(db)
    reasons = db.execute("SELECT flag_reasons FROM call_results").fetchone()[0]
    assert "customer side mostly untranscribed" in reasons
    store.save_call(db, make_call())  # an imported transcript, or a call from before: nothing measured
    assert list(store.load_calls(db))[0].coverage == ()


def test_results_stored_before_model_versions_were_recorded_say_so_and_are_kept_when_re_scored(tmp_path):
    from qa_pipeline.records import CallResult, Finding

    path = tmp_path / "v13.duckdb"
    con = database_at(path, 13)
    con.execute("INSERT INTO call_store (call_id, status) VALUES ('c1', 'done')")
    con.execute("INSERT INTO check_store VALUES ('c1', 'standard-en', '1', 'C2', 'fail', false, 10, NULL, NULL, "
                "NULL, NULL, 'learned C2', now())")
    con.execute("INSERT INTO result_store VALUES ('c1', 'standard-en', '1', 0, true, [], false, false, now())")
    con.close()
    with store.opened(path) as con:
        assert con.execute("SELECT model_version FROM call_results").fetchall() == [(None,)]  # not recorded
        result = CallResult("c1", "standard-en", "1", 100.0, False, (), (Finding("C2", "pass", weight=10),),
                            model_version=2)
        store.save_results(con, [result])
        assert con.execute("SELECT outcome, model_version FROM check_results").fetchall() == [("pass", 2)]
        assert con.execute("SELECT outcome, model_version, current FROM check_results_by_model ORDER BY current"
                           ).fetchall() == [("fail", None, False), ("pass", 2, True)]
        store.save_results(con, [result])  # the same version again: replaced, no more history
        assert con.execute("SELECT count(*) FROM call_results_by_model").fetchone()[0] == 2


def test_history_keeps_each_model_versions_findings_copying_only_those_that_changed(db):
    from qa_pipeline.records import CallResult, Finding

    store.save_call(db, make_call())

    def scored(version, a, b):
        return CallResult("c1", "standard-zh", "1", 0.0, False, (), (Finding("A", a, weight=10, rule=f"rule A {a}"),
                                                                      Finding("B", b, weight=10, rule=f"rule B {b}")),
                          model_version=version)

    def by_model():
        rows = db.execute("SELECT model_version, check_id, outcome, current FROM check_results_by_model").fetchall()
        return {(v, c): (o, cur) for v, c, o, cur in rows}

    def copied():
        return sorted(db.execute("SELECT model_version, check_id FROM check_history_store").fetchall())

    store.save_results(db, [scored(0, "pass", "fail")])
    store.save_results(db, [scored(1, "pass", "pass")])  # a new model version changes B only
    assert copied() == [(0, "B")]  # A is the same: not copied
    assert by_model() == {(0, "A"): ("pass", False), (0, "B"): ("fail", False),
                          (1, "A"): ("pass", True), (1, "B"): ("pass", True)}
    store.save_results(db, [scored(2, "fail", "pass")])  # another changes A only
    assert copied() == [(0, "B"), (1, "A")]
    assert by_model() == {(0, "A"): ("pass", False), (0, "B"): ("fail", False),
                          (1, "A"): ("pass", False), (1, "B"): ("pass", False),
                          (2, "A"): ("fail", True), (2, "B"): ("pass", True)}
    store.save_results(db, [scored(2, "fail", "fail")])  # the same version again, B changed: v1 still reads B
    assert by_model()[(1, "B")] == ("pass", False) and by_model()[(2, "B")] == ("fail", True)
    store.save_results(db, [scored(0, "pass", "pass")])  # back to version 0: its old result is superseded
    assert by_model() == {(0, "A"): ("pass", True), (0, "B"): ("pass", True),
                          (1, "A"): ("pass", False), (1, "B"): ("pass", False),
                          (2, "A"): ("fail", False), (2, "B"): ("fail", False)}
    assert db.execute("SELECT model_version, count(*) FROM call_results_by_model GROUP BY ALL ORDER BY ALL"
                      ).fetchall() == [(0, 1), (1, 1), (2, 1)]
    # A re-score with the same version and nothing changed copies nothing.
    before = copied()
    store.save_results(db, [scored(0, "pass", "pass")])
    assert copied() == before
