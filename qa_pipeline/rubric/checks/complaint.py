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

``aimed: {bank: …, below: P}``: whom the feeling is aimed at, learned. A hit counts only in a turn
where some sentence is judged aimed at the company (its product, service, staff, billing or
delivery) with probability ``P`` or more by the ``complaint_aim`` judgement of the exemplar banks
(:mod:`qa_pipeline.rubric.exemplars`; ``bank`` as the learned check's). A turn whose feeling is
aimed at a third party, the weather, a public rule or the customer's own doing ("the other bank's
app keeps crashing, it's driving me up the wall", 下大雨骑手进不来烦死了) is no complaint, whatever
its words. Without an encoder every hit counts. ``P`` is fitted leaving one folder of labelled
calls out (bench/complaint_aim_fit.py).

PASS (customer): "你们这服务也太差了，我要投诉！" / "This is unacceptable, I'm really upset."
FAIL (customer): "我家宽带有点卡，麻烦帮我看看。" / "I lost my card, can you block it?"
"""
from __future__ import annotations

from typing import Callable, Optional

from qa_pipeline.rubric import encoder as encoders
from qa_pipeline.rubric.checks.base import Builder, Option, Scope
from qa_pipeline.rubric.checks.learned import bank_option, best_probability, turn_sentences
from qa_pipeline.rubric.checks.scan import TextNode, phrase_finder, with_public
from qa_pipeline.rubric.exemplars import bank_path, load_bank
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
    "aimed": Option((dict,), help="{bank: BANKS, below: P}: a hit counts only in a turn with a sentence the "
                                  "complaint_aim judgement of BANKS (as the learned check's `bank`) scores P or more "
                                  "(the feeling aimed at the company, not a third party, fate, a public rule or the "
                                  "customer's own doing); without an encoder every hit counts"),
}

AIM = "complaint_aim"


def aim_probability(turn, banks: tuple[str, ...], weights: tuple[float, ...]) -> Optional[float]:
    """The highest probability the ``complaint_aim`` judgement (trained on ``banks``) gives a
    sentence of ``turn``: how surely the turn's feeling is aimed at the company. None without an
    encoder, with too few exemplars or with no sentence."""
    encoder = encoders.sentence_encoder()
    if encoder is None:
        return None
    return turn.memo(f"{AIM} {banks} {weights}",
                     lambda: best_probability(encoder, banks, weights, AIM, turn_sentences(turn)))


def aimed_elsewhere(banks: tuple[str, ...], weights: tuple[float, ...], bar: float) -> Callable[[object], bool]:
    """A turn predicate: True where :func:`aim_probability` is below ``bar`` — the turn's feeling is
    aimed elsewhere than at the company. False where it is None (the rules' answer stands)."""
    def elsewhere(turn) -> bool:
        p = aim_probability(turn, banks, weights)
        return p is not None and p < bar
    return elsewhere


def _aimed(value: dict, builder: Builder):
    """The ``aimed`` option as a turn predicate (:func:`aimed_elsewhere`)."""
    bar = value.get("below")
    if (set(value) - {"bank", "below"} or "bank" not in value or isinstance(bar, bool)
            or not isinstance(bar, (int, float)) or not 0.0 < float(bar) < 1.0):
        raise builder.error(  # type: ignore[attr-defined]
            f"aimed must be {{bank: BANKS, below: a number between 0 and 1}}, not {value}")
    names, weights = bank_option(value["bank"], builder)
    paths = tuple(str(bank_path(n, builder.rubric_dir)) for n in names)  # type: ignore[attr-defined]
    for path in paths:
        load_bank(path)  # validated now: a bad bank is refused when the rubric is loaded
    return aimed_elsewhere(paths, weights, float(bar))


def build(options: dict, builder: Builder):
    phrases = list(options.get("phrases") or [])
    if options.get("builtin", True):
        phrases += [p for lang in ("zh", "en") for p in COMPLAINT_PHRASES[lang]]
    matcher = builder.matcher(phrases, fuzzy=False)
    find_phrases = phrase_finder(matcher)
    public = options.get("public_phrases") or []
    if public:
        find_phrases = with_public(find_phrases, phrase_finder(builder.matcher(public, fuzzy=False)))
    threshold = options.get("sentiment_below")
    unless = None
    if options.get("unless"):
        u = builder.matcher(options["unless"], fuzzy=False)
        unless = lambda turn: u.found_in(turn.norm)  # noqa: E731
    if options.get("aimed") is not None:
        elsewhere, said = _aimed(options["aimed"], builder), unless
        unless = (elsewhere if said is None  # noqa: E731
                  else lambda turn: said(turn) or elsewhere(turn))

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
