"""complaint: the customer complains or says they are dissatisfied (the D-item trigger).

Uses the bilingual lexicon in :data:`qa_pipeline.rubric.sentiment.COMPLAINT_PHRASES` (unless
``builtin: false``) plus the rubric's own ``phrases``; ``sentiment_below`` also counts a
customer turn whose lexical sentiment is below that value (off by default: a calm fault
report often reads as negative).

``public_phrases`` count only in a public thread: one where a turn tags an account with ``@`` (a
post on Weibo, a forum or social media naming the company; the replies under it are public too).
A fault reported there ("…怎么打不开了 @某某客服") is a public complaint, where the same words
said on the phone to the helpdesk are a request for help; a call transcript has no ``@``, so they
never count there.

.. code-block:: yaml

    type: complaint
    phrases: [服务太敷衍]

PASS (customer): "你们这服务也太差了，我要投诉！" / "This is unacceptable, I'm really upset."
FAIL (customer): "我家宽带有点卡，麻烦帮我看看。" / "I lost my card, can you block it?"
"""
from __future__ import annotations

from qa_pipeline.rubric.checks.base import Builder, Option, Scope
from qa_pipeline.rubric.checks.scan import TextNode, phrase_finder
from qa_pipeline.rubric.sentiment import COMPLAINT_PHRASES, text_sentiment

ID = "complaint"
OPTIONS = {
    "phrases": Option((list,), [], items=(str,), help="more complaint phrases"),
    "builtin": Option((bool,), True, help="use the built-in complaint lexicon"),
    "unless": Option((list,), items=(str,), help="phrases that cancel a hit in the same turn"),
    "sentiment_below": Option((int, float), help="also a customer turn with sentiment below this"),
    "speaker": Option((str,), "customer", choices=("customer", "any"), help="whose words count"),
    "public_phrases": Option((list,), [], items=(str,),
                             help="phrases that count only in a thread where a turn tags an account with @ (a public post)"),
}

def build(options: dict, builder: Builder):
    phrases = list(options.get("phrases") or [])
    if options.get("builtin", True):
        phrases += [p for lang in ("zh", "en") for p in COMPLAINT_PHRASES[lang]]
    matcher = builder.matcher(phrases, fuzzy=False)
    find_phrases = phrase_finder(matcher)
    public = options.get("public_phrases") or []
    if public:
        find_public_phrases = phrase_finder(builder.matcher(public, fuzzy=False))
        find_plain = find_phrases

        def find_phrases(seg, view):
            yield from find_plain(seg, view)
            if view.public_thread:
                for turn, offset, phrase in find_public_phrases(seg, view):
                    yield turn, offset, f"{phrase} (public post)"
    threshold = options.get("sentiment_below")
    unless = None
    if options.get("unless"):
        u = builder.matcher(options["unless"], fuzzy=False)
        unless = lambda turn: u.found_in(turn.norm)  # noqa: E731

    def find(seg, view):
        yield from find_phrases(seg, view)
        if threshold is not None:
            for turn in seg.turns:
                score = text_sentiment(turn.text)
                if score is not None and score < threshold:
                    yield turn, 0, f"sentiment {score:+.2f}"

    if threshold is None and not public:
        find = find_phrases  # phrases only: the one-search path (first hit, turn by turn past ``unless``)

    scope = Scope(speaker=options.get("speaker", "customer"))
    return TextNode(ID, find, scope, label=options.get("name") or "complaint", unless=unless)
