"""A mono call whose agent/customer decision needs a person is flagged by the scoring engine
itself, once, whichever path scores it: the pipeline, a re-score, a library call."""
from __future__ import annotations

import dataclasses

from qa_pipeline.records import Call, CallInfo, Turn
from qa_pipeline.rescoring import rescore
from qa_pipeline.rubric import score_call, standard_rubric
from qa_pipeline.rubric.engine import ROLES_UNCERTAIN_REASON
from qa_pipeline.store import database as store

CALL = Call(CallInfo("c1"), "en", (
    Turn("agent", 0.5, 4.0, "Thank you for calling Acme, my name is Sarah, how can I help you today?"),
    Turn("customer", 4.5, 7.0, "I would like to check my bill please."),
    Turn("agent", 7.5, 11.0, "Of course. Is there anything else I can help you with? Thank you for calling, goodbye."),
))


def test_roles_uncertain_is_a_flag_reason_of_the_engine():
    rubric = standard_rubric("en")
    sure = score_call(CALL, rubric)
    unsure = score_call(dataclasses.replace(CALL, roles_uncertain=True), rubric)
    assert ROLES_UNCERTAIN_REASON not in sure.flag_reasons
    assert unsure.flagged and unsure.flag_reasons == sure.flag_reasons + (ROLES_UNCERTAIN_REASON,)


def test_a_rescore_flags_it_once(db):
    store.save_call(db, dataclasses.replace(CALL, roles_uncertain=True), [])
    rescore(db)
    rescore(db)
    rows = db.execute("SELECT flagged, flag_reasons FROM result_store WHERE call_id = 'c1'").fetchall()
    assert rows and all(flagged and list(reasons).count(ROLES_UNCERTAIN_REASON) == 1 for flagged, reasons in rows)
