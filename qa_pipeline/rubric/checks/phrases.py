"""phrases: any (or all) of a list of phrases, tolerant of speech-recognition errors.

Phrases are compared after normalisation (case, punctuation, Chinese/Arabic numerals,
common ASR homophones); ``fuzzy`` also accepts one wrong character in a Chinese phrase of
four or more characters, one extra word inside an English phrase and one dropped inner
word of a phrase of four or more words. ``{name}`` inserts a synonym list, ``...`` a short
gap, ``re:`` a regular expression (see :mod:`qa_pipeline.rubric.matching`).

.. code-block:: yaml

    type: phrases
    speaker: agent
    phrases: [感谢您的来电, "thank you for calling"]

PASS (agent): "好的，感谢您的来店，再见。"  (来店 is an ASR error for 来电)
PASS (agent): "Well, thank you so for calling."
FAIL (agent): "好的，那就先这样。"
FAIL (customer only): "Thank you for calling them." — the customer's words are out of scope.

``match: all`` needs every phrase; ``unless`` lists phrases that cancel a hit in the same
turn ("不知道" is no refusal in "不知道您现在方便吗"); ``min_count`` needs that many hits.
``public_phrases`` count too, but only in a public written thread (a turn tags an account with
``@``: :attr:`~qa_pipeline.rubric.view.CallView.public_thread`), for words the form reads one way in
writing and another on the phone (C3: "should anything else come up later, message us" invites
more questions under a post, where a call wants the question asked).
"""
from __future__ import annotations

from qa_pipeline.rubric.checks.base import SCOPE_OPTIONS, Builder, Context, Option, Scope, Verdict
from qa_pipeline.rubric.checks.scan import TextNode, phrase_finder, with_public

ID = "phrases"
OPTIONS = {
    "phrases": Option((list,), required=True, items=(str,), help="phrases, {synonyms}, ... gaps, re:regex"),
    "match": Option((str,), "any", choices=("any", "all"), help="any phrase, or all of them"),
    "fuzzy": Option((bool,), True, help="tolerate one recognition error per phrase"),
    "gap": Option((int,), help="size of a ... gap (characters in Chinese, words in English)"),
    "unless": Option((list,), items=(str,), help="phrases that cancel a hit in the same turn"),
    "min_count": Option((int,), 1, help="hits needed"),
    "public_phrases": Option((list,), [], items=(str,),
                             help="phrases that count only in a thread where a turn tags an account with @ (a public post)"),
    **SCOPE_OPTIONS,
}


def unless_test(builder: Builder, phrases, fuzzy: bool = False):
    if not phrases:
        return None
    matcher = builder.matcher(phrases, fuzzy=fuzzy)
    return lambda turn: matcher.found_in(turn.norm)


class AllPhrases:
    """Every phrase must be found in scope; the verdict points at the last one found."""

    type_id = ID

    def __init__(self, nodes: list[TextNode], label: str):
        self.nodes = nodes
        self.label = label

    def check_refs(self) -> set[str]:
        return set().union(*(n.check_refs() for n in self.nodes))

    def evaluate(self, ctx: Context) -> Verdict:
        last = None
        for node in self.nodes:
            v = node.evaluate(ctx)
            if v.value is not True:
                return v
            if last is None or (v.at or (0, 0)) > (last.at or (0, 0)):
                last = v
        return Verdict(True, last.evidence, f"{self.label}: all found", last.at)


def build(options: dict, builder: Builder):
    scope = Scope.from_options(options, builder)
    label = options.get("name") or "phrases"
    unless = unless_test(builder, options.get("unless"))
    fuzzy, gap = options.get("fuzzy", True), options.get("gap")
    phrases = options["phrases"]
    if options.get("match", "any") == "all":
        nodes = []
        for p in phrases:
            m = builder.matcher([p], fuzzy=fuzzy, gap=gap)
            nodes.append(TextNode(ID, phrase_finder(m), scope, label=f"{label} '{p}'",
                                  unless=unless))
        return AllPhrases(nodes, label)
    find = phrase_finder(builder.matcher(phrases, fuzzy=fuzzy, gap=gap))
    if options.get("public_phrases"):
        find = with_public(find, phrase_finder(builder.matcher(options["public_phrases"], fuzzy=False, gap=gap)))
    return TextNode(ID, find, scope, label=label, unless=unless, min_count=options.get("min_count", 1))
