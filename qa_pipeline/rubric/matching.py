"""Phrase lists compiled once per rubric into fast, ASR-tolerant matchers.

The phrase syntax and how it becomes regular expressions: :mod:`.phrase_syntax`. Here a
compiled list is searched: :meth:`PhraseMatcher.first` finds the earliest hit of any phrase
and says which phrase it was (worked out only for the few hits, from the phrases that can
start with that character). Clean English is searched only where words start; a regex
searched on its own is skipped when the text holds none of the texts every match of it
holds (its anchors), or not the text its matches start with (and compiled only once a
text holds that).

>>> m = compile_phrases(["thank you for calling"], {}, fuzzy=True)
>>> m.first("well thank you all for calling").phrase
'thank you for calling'
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Mapping, Optional, Sequence

from qa_pipeline.language import has_chinese
from qa_pipeline.rubric.phrase_syntax import (
    SPLIT,
    PhraseCompiler,
    PhraseError,
    as_regex,
    factor,
    factor_shared,
    lead_first,
    lead_word,
    line_led,
    literal_start,
    required_choices,
    word_led,
)

__all__ = ["PhraseMatcher", "PhraseHit", "compile_phrases", "PhraseError", "padded_english"]


@dataclass(frozen=True)
class PhraseHit:
    start: int
    end: int
    phrase: str


# A source whose meaning can change inside a bigger regex (inline flags, group references):
# compiled when the list is, so that a phrase that does not compile is refused at load time.
_COMPILE_NOW = re.compile(r"\(\?[aiLmsux-]|\\[1-9]|\(\?P=|\(\?\(")


_FEW_STARTS = 24


def _holds(text: str, choices: tuple[tuple[str, ...], ...]) -> bool:
    """Whether ``text`` holds one text of each of ``choices``."""
    for choice in choices:
        for a in choice:
            if a in text:
                break
        else:
            return False
    return True


class _Alone:
    """Regexes searched one by one (they cannot join a combined regex: they do not start with
    a literal character, or are too big), in order.

    A regex is tried only in text that holds the literal text its matches start with
    (:func:`~qa_pipeline.rubric.phrase_syntax.literal_start`; the starts are indexed by their
    first character, so only those whose first character is in the text are looked for),
    and compiled the first time it is tried. One without a literal start is tried only in text
    holding one text of each choice its matches hold (:func:`~qa_pipeline.rubric.phrase_syntax.required_choices`:
    ``[\\u4e00-\\u9fff]{1,3}证号`` needs 证号). A synonym list holding a regex cannot lead, so
    each of its entries is a regex of its own: Mandarin identity requests ({ident}...{ask},
    ...) made ~1,200, all searched every time and compiled at every rubric load (≈ 2 ms a
    Mandarin call and 0.4 s a load); most never start anywhere in a call's text. One whose
    lookarounds come before the texts its matches start with is compiled with a lookahead for
    those texts in front (:func:`~qa_pipeline.rubric.phrase_syntax.lead_first`): the same matches."""

    __slots__ = ("_always", "_anchors", "_at_lines", "_at_words", "_by_start", "_compiled", "_needs", "_one_char_starts",
                 "_pairs", "sources")

    def __init__(self, sources: Sequence[re.Pattern | str], anchors: Mapping[str, Optional[tuple[str, ...]]]):
        self.sources = tuple(s if isinstance(s, str) else s.pattern for s in sources)
        self._compiled: list[Optional[re.Pattern]] = [
            s if not isinstance(s, str) else (re.compile(s) if _COMPILE_NOW.search(s) else None) for s in sources]
        self._anchors = tuple(anchors.get(s) for s in self.sources)
        by_start: dict[str, list[int]] = {}
        always = []
        for i, source in enumerate(self.sources):
            start = literal_start(source)
            if start:
                by_start.setdefault(start, []).append(i)
            else:
                always.append(i)
        # ((start, the regexes that start with it), ...); with many starts, by their first two
        # characters (one for a start of one), and the text's pairs that begin with a start's
        # first character are read with one regex: the ~850 starts of the Mandarin identity
        # requests took ~230 tests of a call's text when indexed by first character (with the
        # set of its characters, ~60 µs), ~50 this way (~20 µs).
        starts = tuple((start, tuple(members)) for start, members in by_start.items())
        by_pair: dict[str, list[tuple[str, tuple[int, ...]]]] = {}
        for start, members in starts:
            by_pair.setdefault(start[:2], []).append((start, members))
        self._by_start = starts if len(starts) <= _FEW_STARTS else {pair: tuple(s) for pair, s in by_pair.items()}
        firsts = re.escape("".join(sorted({pair[0] for pair in by_pair})))
        self._pairs = re.compile(f"(?=([{firsts}].?))", re.DOTALL) if firsts else None
        self._one_char_starts = any(len(pair) == 1 for pair in by_pair)
        self._always = tuple(always)
        # What a regex without a literal start needs in the text, by index: one text of each
        # choice (absent: unknown). Every choice is tested, not only the longest: the English
        # B2 list's regexes need "already "/"just "/... and also "went"/"gone"/... and
        # "over"/"through"; one choice let ~40 % of an English agent's texts through.
        self._needs: dict[int, tuple[tuple[str, ...], ...]] = {
            i: needs for i in always if (needs := required_choices(self.sources[i]))}
        # Those that can only start where a word starts (``\b(?:cheat|deceive|...)``): in clean
        # English, searched as ``[\n @](?:regex)`` in the text with a newline in front (compiled
        # when first searched), so the engine tries them only after a space, newline or '@'.
        # Without a literal start it tried every character: ~0.2 ms a regex over an English
        # agent's ~800 characters, ~0.1 ms of every English call in all.
        self._at_words: dict[int, Optional[re.Pattern]] = {i: None for i in always if word_led(self.sources[i])}
        # Those that can only start at a turn's start (``(?<![^\n])…`` in every alternative: the
        # Mandarin identity requests led by 姓名/手机号…, Mandarin B2's "I already told you"): in
        # any text, searched as ``\n(?:regex)`` in the text with a newline in front, which the
        # engine skips through from newline to newline instead of trying every character.
        self._at_lines: dict[int, Optional[re.Pattern]] = {i: None for i in always if line_led(self.sources[i])}

    def __len__(self) -> int:
        return len(self.sources)

    def regex(self, i: int) -> re.Pattern:
        rx = self._compiled[i]
        if rx is None:
            rx = self._compiled[i] = re.compile(lead_first(self.sources[i]))
        return rx

    def all(self) -> list[re.Pattern]:
        return [self.regex(i) for i in range(len(self.sources))]

    def _candidates(self, text: str) -> tuple[int, ...] | list[int]:
        """The regexes that may match in ``text``, in order."""
        by_start = self._by_start
        if not by_start:
            return self._always
        if isinstance(by_start, tuple):
            found = [i for start, members in by_start if start in text for i in members]
        else:
            pairs = set(self._pairs.findall(text))  # type: ignore[union-attr]  # every pair a start may begin with
            if self._one_char_starts:
                pairs.update([pair[0] for pair in pairs])
            found = [i for pair in by_start.keys() & pairs for start, members in by_start[pair] if start in text
                     for i in members]
        if not found:
            return self._always
        found.extend(self._always)
        found.sort()
        return found

    def first(self, text: str, pos: int, best: Optional[tuple[int, int]],
              padded: Optional[str] = None) -> Optional[tuple[int, int]]:
        """(start, end) of the earliest hit from ``pos`` on, if earlier than ``best`` (a tie
        keeps ``best``, then the earlier regex), else ``best``. A regex is searched only when
        the text also holds one of its anchors. ``padded``: ``text`` with a newline in front
        when it is clean English (:func:`padded_english`): the regexes that start at a word
        are searched there, only where words start."""
        anchors, required, at_words, at_lines = self._anchors, self._needs, self._at_words, self._at_lines
        lined = padded  # the text with a newline in front, made when first needed
        for i in self._candidates(text):
            choices = required.get(i)
            if choices is not None and not _holds(text, choices):  # no literal start: searched
                continue  # only when the text holds what it needs
            needs = anchors[i]
            if needs is not None:  # searched only when the text holds one of its anchors
                for a in needs:
                    if a in text:
                        break
                else:
                    continue
            if i in at_lines:
                rx = at_lines[i]
                if rx is None:
                    rx = at_lines[i] = re.compile(f"\n(?:{lead_first(self.sources[i])})")
                if lined is None:
                    lined = "\n" + text
                m = rx.search(lined, pos)  # a match at lined[j] is a hit at text[j]
                if m is not None and (best is None or m.start() < best[0]):
                    best = (m.start(), m.end() - 1)
                continue
            if padded is not None and i in at_words:
                rx = at_words[i]
                if rx is None:
                    rx = at_words[i] = re.compile(f"{_BEFORE_WORD}(?:{lead_first(self.sources[i])})")
                m = rx.search(padded, pos)  # a match at padded[j] is a hit at text[j]
                if m is not None and (best is None or m.start() < best[0]):
                    best = (m.start(), m.end() - 1)
                continue
            rx = self._compiled[i]
            if rx is None:
                rx = self.regex(i)
            m = rx.search(text, pos)
            if m is not None and (best is None or m.start() < best[0]):
                best = (m.start(), m.end())
        return best

    def possible(self, text: str, first: int = 0) -> list[int]:
        """The regexes (from index ``first`` on, in order) that may match somewhere in
        ``text``: those whose literal start, needs and anchors the text holds (each is held by
        every match, so the others cannot match)."""
        required, anchors = self._needs, self._anchors
        out = []
        for i in self._candidates(text):
            if i < first:
                continue
            choices = required.get(i)
            if choices is not None and not _holds(text, choices):
                continue
            needs = anchors[i]
            if needs is not None and not any(a in text for a in needs):
                continue
            out.append(i)
        return out

    def found_in(self, text: str) -> bool:
        return any(self.regex(i).search(text) for i in self.possible(text))


class PhraseMatcher:
    """A compiled phrase list. ``regex`` finds any phrase; :meth:`first` also says which."""

    def __init__(self, phrases: Sequence[str], per_phrase: list[str], fast: Optional[re.Pattern | str],
                 slow: Sequence[re.Pattern | str], first_chars: Optional[list[Optional[set[str]]]] = None,
                 grouped: Sequence[re.Pattern | str] = (), fast_all: Optional[str] = None,
                 words: Optional[tuple[re.Pattern, Sequence[re.Pattern | str]]] = None,
                 anchors: Optional[dict[str, tuple[str, ...]]] = None):
        """``fast``: the leading alternatives merged into one regex; ``slow``: regexes that
        cannot lead, searched one by one (each only in text holding the text it starts with,
        compiled when first searched: :class:`_Alone`). ``grouped``: phrases with many leading alternatives
        before a long rest, each searched as one regex of its own (compiling them into ``fast``
        took ~1 s); ``fast_all``: the source of ``fast`` with them included, which
        :meth:`finditer` uses (compiled the first time it is needed) so its hits stay those of
        one combined regex. ``words``: for clean English text (see :meth:`first`), one regex
        of the phrases that start with a whole English word, tried only where a word starts,
        and the regexes of all the other phrases, searched as usual.

        ``fast`` and ``grouped`` may be given as sources, compiled the first time they are
        needed: with ``words``, clean English never needs them (the other text does).
        ``anchors``: for a regex searched on its own (by its source), texts one of which
        every match holds: a text holding none is not searched with it."""
        self._anchors = anchors or {}
        self._words = None if words is None else (words[0], _Alone(words[1], self._anchors))
        first_chars = first_chars if first_chars is not None else [None] * len(phrases)
        self.phrases = tuple(phrases)
        # The regexes searched on their own: the grouped, then the slow (which cannot lead).
        self._alone = _Alone(list(grouped) + list(slow), self._anchors)
        self._grouped_count = len(grouped)
        if isinstance(fast, str) and not grouped and fast_all is None:
            fast_all = fast  # the same regex, compiled when first needed
        self._fast_all_source = fast_all
        self._fast_all: Optional[re.Pattern] = None if grouped or isinstance(fast, str) or fast_all is not None else fast
        self._regex: Optional[re.Pattern] = None
        # One regex per phrase, compiled the first time a hit needs it: only to say which
        # phrase matched, and most phrases never match (compiling them all took ~1 s per rubric).
        self._per_phrase_source = per_phrase
        self._per_phrase: list[Optional[re.Pattern]] = [None] * len(per_phrase)
        self._fast_given = fast
        self._by_first: dict[str, tuple[int, ...]] = {}
        anywhere = []
        for i, firsts in enumerate(first_chars):
            if firsts is None:
                anywhere.append(i)
            else:
                for ch in firsts:
                    self._by_first[ch] = self._by_first.get(ch, ()) + (i,)
        self._anywhere = tuple(anywhere)

    @property
    def _fast(self) -> Optional[re.Pattern]:
        """The leading alternatives (all but the grouped) in one regex."""
        if isinstance(self._fast_given, str):
            self._fast_given = re.compile(self._fast_given)
        return self._fast_given

    @property
    def _slow(self) -> list[re.Pattern]:
        """The regexes that cannot lead, every one compiled (for :meth:`finditer`, :attr:`regex`)."""
        alone = self._alone
        return [alone.regex(i) for i in range(self._grouped_count, len(alone))]

    def _all_leading(self) -> Optional[re.Pattern]:
        """Every leading alternative in one regex (compiled on first use when phrases were grouped)."""
        if self._fast_all is None and self._fast_all_source is not None:
            self._fast_all = re.compile(self._fast_all_source)
        return self._fast_all

    @property
    def regex(self) -> re.Pattern:
        """One regex that finds any phrase."""
        if self._regex is None:
            fast = self._all_leading()
            patterns = ([fast.pattern] if fast is not None else []) + [f"(?:{r.pattern})" for r in self._slow]
            self._regex = re.compile("|".join(patterns)) if patterns else re.compile(r"(?!x)x")
        return self._regex

    def _which(self, text: str, start: int) -> str:
        """Which phrase matched at ``start``: only phrases that can start with that character
        are tried."""
        return self._named(text, start)[0]

    def _named(self, text: str, start: int, end: int = -1) -> tuple[str, int]:
        """The phrase that matched at ``start`` (:meth:`_which`) and where its match ends
        (``end`` when no phrase's own regex matches there)."""
        candidates = self._by_first.get(text[start], ()) + self._anywhere if start < len(text) else self._anywhere
        for i in candidates:
            rx = self._per_phrase[i]
            if rx is None:
                rx = self._per_phrase[i] = re.compile(self._per_phrase_source[i])
            m = rx.match(text, start)
            if m is not None:
                return self.phrases[i], m.end()
        return self.phrases[0], end

    def _hit(self, text: str, best: tuple[int, int]) -> PhraseHit:
        """The hit :meth:`first` found at ``best[0]``: the phrase it names and where that
        phrase's match ends (the searches :meth:`first` runs find where the earliest hit
        starts; their matches' ends depend on how their phrases were merged)."""
        phrase, end = self._named(text, best[0], best[1])
        return PhraseHit(best[0], end, phrase)

    def finditer(self, text: str) -> Iterator[PhraseHit]:
        fast = self._all_leading()
        alone = self._alone
        # the regexes that cannot lead, only those that may match in the text (the others find
        # nothing: the '说不过去' list holds 28, each run over every text before)
        slow = [alone.regex(i) for i in alone.possible(text, self._grouped_count)]
        if not slow:
            if fast is not None:
                for m in fast.finditer(text):
                    yield PhraseHit(m.start(), m.end(), self._which(text, m.start()))
            return
        scans = ([fast] if fast is not None else []) + slow
        hits = [m for rx in scans for m in rx.finditer(text)]
        for m in sorted(hits, key=lambda m: m.start()):
            yield PhraseHit(m.start(), m.end(), self._which(text, m.start()))

    def first(self, text: str, pos: int = 0, padded: Optional[str] = None) -> Optional[PhraseHit]:
        """The earliest hit in ``text`` from ``pos`` on (one search per regex, no iteration;
        edges before ``pos`` are still seen, as in a search of the whole text).

        ``padded``: ``text`` with a newline in front, when it is clean English (see
        :func:`padded_english`). Phrase lists that all start with a whole word are then
        searched only where a word starts: the same hits, several times faster than trying
        every letter of the text as a possible start."""
        if padded is not None and self._words is not None:
            return self._first_at_words(text, pos, padded)
        fast = self._fast
        m = fast.search(text, pos) if fast is not None else None
        # ordered by start, a tie goes to _which: as one regex
        best = self._alone.first(text, pos, None if m is None else (m.start(), m.end()))
        if best is None:
            return None
        return self._hit(text, best)

    def _first_at_words(self, text: str, pos: int, padded: str) -> Optional[PhraseHit]:
        # In ``padded`` the word regex is led by the character before a word ([\n @]: all
        # that can precede a word in clean English), so a match at padded[i] is a hit at text[i].
        m = self._words[0].search(padded, pos)  # type: ignore[index]
        best = (m.start(), m.end() - 1) if m is not None else None  # (start, end) in text
        best = self._words[1].first(text, pos, best, padded)  # type: ignore[index]  # ordered by start, as one regex
        if best is None:
            return None
        return self._hit(text, best)

    def found_in(self, text: str) -> bool:
        """Whether any phrase occurs in ``text`` (the quick test for ``unless``)."""
        fast = self._fast
        if fast is not None and fast.search(text):
            return True
        return self._alone.found_in(text)

    def __bool__(self) -> bool:
        return bool(self.phrases)


_CLEAN_ENGLISH = re.compile(r"[a-z0-9@ \n]*")
_BEFORE_WORD = "[\n @]"


def padded_english(text: str) -> Optional[str]:
    """``text`` with a newline in front when it is clean English — only a-z, 0-9, '@',
    spaces and newlines, which is what normalising English gives — else None. In such
    text a word (what the regexes' edges ``(?<![a-z0-9])`` … ``(?![a-z0-9])`` delimit)
    starts right after a newline, space or '@', or at the start: after the padding."""
    if not text.isascii() or not _CLEAN_ENGLISH.fullmatch(text):
        return None
    return "\n" + text


def _fewest(texts: Optional[set[str]], most: int = 16) -> Optional[tuple[str, ...]]:
    """The texts to test for (one of ``texts`` is in every match): a text that holds another
    of them is implied by it and left out. None when unknown, or too many to be worth it."""
    if not texts:
        return None
    kept: list[str] = []
    for t in sorted(texts, key=len):
        if not any(k in t for k in kept):
            kept.append(t)
    return tuple(kept) if len(kept) <= most else None


def compile_phrases(phrases: Sequence[str], synonyms: Mapping[str, Sequence[str]], *,
                    fuzzy: bool = True, gap: Optional[int] = None) -> PhraseMatcher:
    """Compile ``phrases`` into one matcher (raises :class:`PhraseError` naming the phrase)."""
    compiler = PhraseCompiler(synonyms, fuzzy, gap)
    fast, slow, per_phrase, cleaned, first_chars = [], [], [], [], []
    grouped: list[str] = []
    anchors: dict[str, Optional[tuple[str, ...]]] = {}  # regex searched on its own -> texts one of which it needs
    fast_all: list[str] = []
    # The leading phrases again, split by whether each starts with a whole English word: in
    # clean English those are searched only where words start (see PhraseMatcher.first).
    word_fast: list[str] = []
    other_fast: list[str] = []
    other_grouped: list[str] = []
    other_anchors: Optional[set[str]] = set()  # texts one of which every match of other_fast holds
    shared: dict[str, tuple[tuple[str, ...], str]] = {}  # a leading alternative -> its phrase's (leads, rest)
    for i, p in enumerate(phrases):
        if not isinstance(p, str) or not p.strip():
            raise PhraseError(f"phrase {i + 1} is empty or not text: {p!r}")
        p = p.strip()
        try:
            alternatives, leads = compiler.phrase(p)
        except PhraseError as exc:
            raise PhraseError(f"phrase {p!r}: {exc}") from None
        per_phrase.append(compiler.grouped or "|".join(as_regex(a) for a in alternatives))
        literal_starts = {a.split(SPLIT, 1)[0][:1] for a in alternatives if SPLIT in a}
        first_chars.append(literal_starts if leads and all(SPLIT in a for a in alternatives) else None)
        at_word = leads and all(lead_word(a) is not None for a in alternatives)
        # a grouped phrase is searched alone for where it starts: its rest's lists as tries
        start_form = compiler.grouped_start
        if (leads and start_form) or not leads:
            # regexes searched on their own: a quick test of the phrase's anchors comes first
            for source in [start_form] if leads else [as_regex(a) for a in alternatives]:
                known = anchors.get(source, compiler.anchors)
                anchors[source] = compiler.anchors if known == compiler.anchors else None
        if leads and start_form:
            grouped.append(start_form)
            fast_all.extend(alternatives)
            if at_word:  # in the word regex, with the phrases that share its leads
                shared.update(dict.fromkeys(alternatives, compiler.lead_rest))
                word_fast.extend(alternatives)
            else:
                other_grouped.append(start_form)
        elif leads:
            shared.update(dict.fromkeys(alternatives, compiler.lead_rest))
            fast.extend(alternatives)
            fast_all.extend(alternatives)
            (word_fast if at_word else other_fast).extend(alternatives)
        else:
            slow.extend(as_regex(a) for a in alternatives)
        if leads and not compiler.grouped and not at_word and other_anchors is not None:
            other_anchors = None if compiler.anchors is None else other_anchors | set(compiler.anchors)
        cleaned.append(p)
    try:
        words = None
        if word_fast:
            # All the word-led phrases in one regex, grouped ones too: one pass that stops at
            # the first word where any matches, not one pass per part. Read only for where a
            # hit starts: the phrases led by the same list are one group, their rests' lists
            # tries (factor_shared); the identity-request lists' regexes were 142,000, 67,000
            # and 39,000 characters written out, ≈ 0.3–0.65 s to compile at every load.
            word_sources = [factor_shared(word_fast, shared)]
            others = list(dict.fromkeys(other_grouped)) + list(dict.fromkeys(slow))
            if other_fast:
                others.insert(0, factor_shared(other_fast, shared))
                anchors[others[0]] = _fewest(other_anchors)
            words = (re.compile(f"{_BEFORE_WORD}(?:" + "|".join(f"(?:{source})" for source in word_sources) + ")"),
                     tuple(others))
        # An English phrase list (words, no Chinese phrase) needs the regexes over all its
        # leading phrases only for text that is not clean English: compiled then, if ever.
        english = words is not None and not any(has_chinese(p) for p in cleaned)
        compile_now = str if english else re.compile
        # ``fast`` is searched only for where a hit starts: phrases sharing their leads are
        # written once (factor_shared); finditer and ``regex`` keep every alternative (fast_all).
        fast_source = factor_shared(fast, shared) if fast else None
        fast_all_source = factor(fast_all) if fast_all and (grouped or fast_source != factor(fast)) else None
        return PhraseMatcher(cleaned, per_phrase, compile_now(fast_source) if fast_source else None,
                             list(dict.fromkeys(slow)), first_chars,
                             [compile_now(g) for g in dict.fromkeys(grouped)],
                             fast_all_source, words,
                             {k: v for k, v in anchors.items() if v})
    except re.error as exc:
        for p, source in zip(cleaned, per_phrase):  # name the phrase (each is compiled only now)
            try:
                re.compile(source)
            except re.error as own:
                raise PhraseError(f"phrase {p!r} does not compile: {own}") from None
        raise PhraseError(f"phrases do not compile together: {exc}") from None
