"""answered: the customer's answer to a question the agent asked holds one of the phrases.

The agent asks and the customer tells: "when did it stop?" is one way to record when a fault
began, "can you describe what went wrong?" answered "it has been dead since Tuesday" is
another (D2: the time given in answer to the agent's question counts as asked). The check
reads the answer, not the question's words: every agent turn in scope that asks something
(a question mark, or one of ``asks``: a transcript with no punctuation still asks) is followed
by the customer's answer — all the customer's turns before the agent speaks again, however
many short messages or recogniser cuts it came in (:meth:`CallView.reply_to`; none if the agent
speaks again first) — and that answer is searched for ``phrases``. Turns of nobody's (a caption,
a blank) do not end the answer. What the question must be about is the scope's ``mentions``
(the turns that hold one of its phrases), as for any check.

.. code-block:: yaml

    type: answered
    after: {check: complaint}
    asks: [could you, can you, 请问, 吗]
    phrases: [yesterday, "re:\\\\bsince (?:monday|last week)\\\\b", 昨天, 上周]

PASS: agent "Could you tell me a bit more about the trip?" — customer "We flew out on the 4th." /
      "The hotel had no room for us."  (the date is in the answer, its first message)
FAIL: agent "Could you tell me a bit more?" — customer "The room was dirty." — agent "Sorry. It was
      on the 4th, wasn't it?"  (the date is the agent's, not the answer's; the agent's own
      read-back is another clause of the rubric)
FAIL: customer "It broke yesterday." — agent "I'm sorry to hear that."  (no question asked: the
      date was volunteered, not asked for)

``raising_question: true`` (with ``after``) also reads the question the complaint was raised in
answer to: on a call the customer often opens with "I had some trouble on my trip", the agent asks
for the details, and the words the trigger knows come only in that answer ("the flight was delayed
three hours on the 8th, it was awful") — the question that drew the complaint out is part of
handling it, though it comes before the trigger.

PASS (raising_question): agent "Could you tell me more about the issues?" — customer "On the 8th the
      flight was delayed three hours, which is unacceptable."  (the trigger and the date in one answer)
"""
from __future__ import annotations

from typing import Optional

from qa_pipeline.rubric.checks.base import SCOPE_OPTIONS, Builder, Context, Option, Scope, Verdict
from qa_pipeline.rubric.checks.scan import UNKNOWN_SPEAKERS
from qa_pipeline.rubric.view import TurnView

ID = "answered"
OPTIONS = {
    "phrases": Option((list,), required=True, items=(str,),
                      help="what the customer's answer must hold: phrases, {synonyms}, ... gaps, re:regex"),
    "asks": Option((list,), [], items=(str,),
                   help="phrases that make an agent turn a question or request besides a question mark "
                        "(for transcripts without punctuation)"),
    "fuzzy": Option((bool,), False, help="tolerate one recognition error per answer phrase"),
    "raising_question": Option((bool,), False,
                               help="with after: also the agent's question whose answer holds the trigger "
                                    "(the complaint told in answer to \"what happened?\")"),
    "gap": Option((int,), help="size of a ... gap (characters in Chinese, words in English)"),
    **{k: v for k, v in SCOPE_OPTIONS.items() if k != "speaker"},
}

_QUESTION_MARKS = ("?", "？")


class Answered:
    """Found when the answer to one of the agent's questions in scope holds a phrase."""

    type_id = ID

    def __init__(self, scope: Scope, asks, answer, label: str, raising_question: bool = False):
        self.scope = scope
        self.raising_question = raising_question
        self.asks = asks  # matcher or None
        self.answer = answer
        self.label = label

    def check_refs(self) -> set[str]:
        return self.scope.check_refs()

    def asked(self, turn: TurnView) -> bool:
        """Whether ``turn`` asks (a question mark or an ``asks`` phrase)."""
        return any(m in turn.text for m in _QUESTION_MARKS) or (
            self.asks is not None and self.asks.found_in(turn.norm))

    def evaluate(self, ctx: Context) -> Verdict:
        turns = self.scope.select(ctx)
        if turns is None:
            return Verdict(None, rule=UNKNOWN_SPEAKERS)
        view = ctx.view
        raised = self._raising_question(ctx) if self.raising_question else None
        if raised is not None and raised not in turns:
            turns = (raised, *turns)
        questions = 0
        for turn in turns:
            if not self.asked(turn):
                continue
            questions += 1
            reply = view.reply_to(turn)
            if not reply.turns or reply.between:  # the agent spoke again before the customer answered
                continue
            seg = view.segment(reply.turns)
            hit = self.answer.first(seg.text, 0, seg.padded)
            if hit is not None:
                said, offset = seg.turn_at(hit.start)
                return Verdict(True, said.evidence(),
                               f"{self.label}: found '{hit.phrase}' in the answer to turn {turn.index + 1}",
                               (said.index, offset))
        what = "no question asked" if not questions else f"not in the answers to {questions} question(s)"
        return Verdict(False, None, f"{self.label}: {what} ({self.scope.describe()})")


    def _raising_question(self, ctx: Context) -> Optional[TurnView]:
        """The agent's turn the customer was answering when the trigger (``after``) was found: the
        last agent turn before the trigger's customer turn with only the customer's turns between."""
        if self.scope.after is None:
            return None
        at = self.scope.after.evaluate(ctx).at
        if at is None:
            return None
        view = ctx.view
        if view.turns[at[0]].role != "customer":
            return None
        for t in reversed(view.turns[:at[0]]):
            if t.role == "agent":
                return t
            if t.role != "customer" and t.text.strip():
                return None
        return None


def build(options: dict, builder: Builder) -> Answered:
    scope = Scope.from_options({**options, "speaker": "agent"}, builder)
    asks: Optional[object] = builder.matcher(options["asks"], fuzzy=False) if options.get("asks") else None
    answer = builder.matcher(options["phrases"], fuzzy=options.get("fuzzy", False), gap=options.get("gap"))
    return Answered(scope, asks, answer, options.get("name") or "the answer to the agent's question",
                    raising_question=options.get("raising_question", False))
