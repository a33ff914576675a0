"""Phrase lists compiled once per rubric into fast, ASR-tolerant regular expressions.

Phrase syntax (after :func:`~qa_pipeline.rubric.text.normalize`):

* plain text: ``感谢您的来电``, ``thank you for calling``;
* ``...`` (or ``…``): a short gap of any words (up to ``gap`` characters in Chinese,
  words in English): ``请...提供`` matches 请您提供, 请您帮忙提供;
* ``{name}``: any entry of the rubric's synonym list ``name``;
* ``^`` at the start / ``$`` at the end: only at the start / end of a turn;
* ``re:`` followed by a regular expression over the normalised text.

Fuzzy matching tolerates speech-recognition errors: a Chinese stretch of four or more
characters also matches with one inner character wrong (感谢您的来电 ~ 感谢您的来店), an
English phrase of three or more words also matches with one extra word between its words,
and a phrase of four or more words with one inner word dropped (thank you for calling ~
thank you calling).

Speed: every variant of every phrase is written to start with a literal character, so
Python's regex engine skips straight to the positions where some phrase can start; which
phrase matched is only worked out for the (few) hits.

>>> m = compile_phrases(["thank you for calling"], {}, fuzzy=True)
>>> m.first("well thank you all for calling").phrase
'thank you for calling'
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Mapping, Optional, Sequence

from .text import is_cjk_text, normalize

__all__ = ["PhraseMatcher", "PhraseHit", "compile_phrases", "PhraseError"]

ZH_GAP = 8
EN_GAP = 4
# A phrase whose leading alternatives would repeat its rest for more than this many
# characters is searched as one regex of its own, the rest written once (see PhraseMatcher).
GROUP_ABOVE = 4000
_TOKEN = re.compile(r"\{([a-z_][a-z0-9_]*)\}|\.\.\.|…")
_RIGHT_EDGE = "(?![a-z0-9])"
_TURN_START = r"(?<![^\n])"
_TURN_END = r"(?![^\n])"


class PhraseError(ValueError):
    """A phrase that cannot be compiled (bad regex, unknown synonym list)."""


@dataclass(frozen=True)
class PhraseHit:
    start: int
    end: int
    phrase: str


# A "leading" alternative is written LITERAL + _SPLIT + REST: the literal text it must start
# with (unescaped) and the regex that follows. Literals are merged into a trie, so the
# engine indexes on the first character and walks shared prefixes once.
_SPLIT = "\x02"
_EDGE_PREFIX = re.compile(r"\(\?<!\[(?:a-z0-9|\^\\n)\][^()]*\)")  # the checks _lead writes


def _lead(text: str, english: bool, turn_start: bool = False) -> str:
    """``text`` as a leading alternative; the edge before it (a word edge in English, the
    start of a turn for ``^`` phrases) is checked once it has matched."""
    escaped = re.escape(text)
    if turn_start:
        return text + _SPLIT + f"(?<![^\n]{escaped})"
    return text + _SPLIT + (f"(?<![a-z0-9]{escaped})" if english else "")


_WORD = re.compile(r"[a-z0-9]+")
_LEFT_EDGES = ("(?<![a-z0-9]", "(?<![^\n]")  # what _lead writes after the literal


def _lead_word(alternative: str) -> Optional[str]:
    """The English literal a leading alternative starts with, when a word edge (or a turn
    start) is checked before it: the alternative can only match where a word starts.
    None when it may start elsewhere (Chinese, a regex, a gap)."""
    if _SPLIT not in alternative:
        return None
    literal, rest = alternative.split(_SPLIT, 1)
    if not _WORD.fullmatch(literal):
        return None
    for edge in _LEFT_EDGES:
        check = edge + re.escape(literal) + ")"
        if rest.startswith(check):
            return literal
    return None


def _as_regex(alternative: str) -> str:
    if _SPLIT not in alternative:
        return alternative
    literal, rest = alternative.split(_SPLIT, 1)
    return re.escape(literal) + rest


def _trie(items: list[tuple[str, str]]) -> list[str]:
    """Regex alternatives for (literal, rest) pairs, shared literal prefixes written once."""
    groups: dict[str, list[tuple[str, str]]] = {}
    ends: list[str] = []
    for literal, rest in items:
        if literal:
            groups.setdefault(literal[0], []).append((literal[1:], rest))
        elif rest not in ends:
            ends.append(rest)
    out = []
    for ch, sub in groups.items():
        alts = _trie(sub)
        out.append(re.escape(ch) + (alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"))
    return out + _factor_edges(ends)


def _factor_edges(rests: list[str]) -> list[str]:
    """Rests that start with the same edge check (``(?<![a-z0-9]word)``) share one check, so it
    runs once per candidate position instead of once per phrase."""
    by_edge: dict[str, list[str]] = {}
    other = []
    for rest in rests:
        m = _EDGE_PREFIX.match(rest)
        if m:
            by_edge.setdefault(m.group(), []).append(rest[m.end():])
        else:
            other.append(rest)
    out = []
    for edge, tails in by_edge.items():
        out.append(edge + (tails[0] if len(tails) == 1 else "(?:" + "|".join(tails) + ")"))
    return out + other


def _starts_literal(body: str) -> bool:
    """Whether a user regex starts with a literal character or a character set."""
    try:
        from re import _parser as sre_parse  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover
        import sre_parse  # type: ignore[no-redef]
    data = sre_parse.parse(body).data
    if not data:
        return False
    # Only a literal keeps the combined regex's first-character index (a set would not).
    return str(data[0][0]) == "LITERAL"


def _literal_prefix(source: str) -> str:
    """The text every match of ``source`` starts with ('' when none is certain): the literal
    characters at its start, after zero-width checks (edges, lookarounds)."""
    try:
        from re import _constants as sre_constants  # type: ignore[attr-defined]
        from re import _parser as sre_parse  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover
        import sre_constants  # type: ignore[no-redef]
        import sre_parse  # type: ignore[no-redef]
    try:
        parsed = sre_parse.parse(source)
    except re.error:
        return ""
    if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
        return ""
    prefix = []
    for op, av in parsed.data:
        if op is sre_constants.LITERAL:
            prefix.append(chr(av))
        elif op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT) and not prefix:
            continue
        else:
            break
    return "".join(prefix)


def _alternative_prefix(alternative: str) -> str:
    """The literal text a phrase alternative starts with ('' when none is certain)."""
    if _SPLIT in alternative:
        return alternative.split(_SPLIT, 1)[0]
    return _literal_prefix(alternative)


def _required_prefixes(prefixes: list[str], most: int = 16) -> Optional[tuple[str, ...]]:
    """The fewest texts one of which every match must contain (a prefix that holds another
    is implied by it); None when some alternative has no literal start, or they are many."""
    if not prefixes or not all(prefixes):
        return None
    kept = sorted(set(prefixes), key=len)
    out: list[str] = []
    for p in kept:
        if not any(p.startswith(q) for q in out):
            out.append(p)
    return tuple(out) if len(out) <= most else None


def _zh_variants(text: str, fuzzy: bool) -> list[str]:
    if not fuzzy or len(text) < 4:
        return [text]
    return [text] + [text[:i] + "\0" + text[i + 1:] for i in range(1, len(text) - 1)]


def _zh_regex(variant: str, lead: bool, turn_start: bool = False) -> str:
    parts = variant.split("\0")
    first = _lead(parts[0], False, turn_start) if lead else re.escape(parts[0])
    return first + "".join("." + re.escape(p) for p in parts[1:])


def _en_variants(words: list[str], fuzzy: bool) -> list[list[str]]:
    variants = [words]
    if fuzzy and len(words) >= 4:
        variants += [words[:i] + words[i + 1:] for i in range(1, len(words) - 1)]
    return variants


def _en_regex(words: list[str], fuzzy: bool, lead: bool, turn_start: bool = False) -> str:
    sep = r" (?:\S+ )?" if fuzzy and len(words) >= 3 else " "
    first = _lead(words[0], True, turn_start) if lead else re.escape(words[0])
    return first + "".join(sep + re.escape(w) for w in words[1:])


def _group(alternatives: list[str]) -> str:
    return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"


class _Compiler:
    def __init__(self, synonyms: Mapping[str, Sequence[str]], fuzzy: bool, gap: Optional[int]):
        self.synonyms = synonyms
        self.fuzzy = fuzzy
        self.gap = gap
        self.turn_start = False  # set while compiling a ^ phrase
        self.grouped: Optional[str] = None  # set by phrase(): see there
        self.anchors: Optional[tuple[str, ...]] = None  # set by phrase(): see _anchors

    def entries(self, name: str, english: bool, lead: bool) -> Optional[list[str]]:
        """Regexes of a synonym list's entries; None when one is a regex (cannot lead)."""
        if name not in self.synonyms:
            raise PhraseError(f"unknown synonym list {{{name}}}; define it under 'synonyms:'")
        out = []
        for entry in self.synonyms[name]:
            if entry.startswith("re:"):
                if lead:
                    return None
                out.append(f"(?:{self._user_regex(entry[3:])})")
                continue
            if _TOKEN.search(entry):
                raise PhraseError(f"synonym entries cannot hold {{lists}} or gaps: {entry!r}")
            norm = normalize(entry)
            if not norm:
                raise PhraseError(f"synonym list {{{name}}} has an empty entry")
            words = norm.split()
            if is_cjk_text(entry):
                out.append(_zh_regex(norm, lead, self.turn_start and lead))
            else:
                regex = _en_regex(words, False, lead, self.turn_start and lead)
                out.append(regex + _RIGHT_EDGE if english else regex)
        return sorted(out, key=len, reverse=True)

    @staticmethod
    def _user_regex(body: str) -> str:
        if "(?P<" in body:
            raise PhraseError(f"named groups are not allowed in {body!r}; use (?:...)")
        try:
            re.compile(body)
        except re.error as exc:
            raise PhraseError(f"bad regular expression {body!r}: {exc}") from None
        return body

    def phrase(self, phrase: str) -> tuple[list[str], bool]:
        """Alternatives for one phrase, and whether each starts with a literal character."""
        self.anchors = None
        if phrase.startswith("re:"):
            body = self._user_regex(phrase[3:])
            prefix = _literal_prefix(body)
            self.anchors = (prefix,) if prefix else None
            if _starts_literal(body):  # joined unwrapped, so the engine sees its first character
                return [body], True
            return [f"(?:{body})"], False
        head = tail = ""
        if phrase.startswith("^"):
            phrase, head = phrase[1:].lstrip(), _TURN_START
        if phrase.endswith("$"):
            phrase, tail = phrase[:-1].rstrip(), _TURN_END
        # A phrase made only of synonym lists and gaps takes the script of its lists.
        zh = is_cjk_text(phrase) or any(
            is_cjk_text(e) for name in _TOKEN.findall(phrase) if name for e in self.synonyms.get(name, ()))
        pieces: list[tuple[str, str]] = []  # (kind, value): lit | syn | gap
        pos = 0
        for m in _TOKEN.finditer(phrase):
            if phrase[pos:m.start()].strip():
                pieces.append(("lit", phrase[pos:m.start()]))
            pieces.append(("syn", m.group(1)) if m.group(1) else ("gap", ""))
            pos = m.end()
        if phrase[pos:].strip():
            pieces.append(("lit", phrase[pos:]))
        if not pieces:
            raise PhraseError("the phrase is empty")
        self.anchors = self._anchors(pieces, zh)
        gap = self.gap if self.gap is not None else (ZH_GAP if zh else EN_GAP)
        self.turn_start = bool(head)  # checked once the literal start has matched: still leads
        try:
            firsts, rest = (self._zh if zh else self._en)(pieces, gap)
        finally:
            self.turn_start = False
        leads = firsts is not None
        if firsts is None:
            firsts, rest = (self._zh if zh else self._en)(pieces, gap, lead=False)
        else:
            head = ""
        alternatives = [head + f + rest + tail for f in firsts]
        # Many leading alternatives ({synonyms}) before a long rest: the rest is written once
        # per alternative in ``alternatives``; ``grouped`` is the same language with it written once.
        self.grouped = None
        if leads and len(firsts) > 1 and len(rest) * (len(firsts) - 1) > GROUP_ABOVE:
            self.grouped = "(?:" + _factor(firsts) + ")" + rest + tail  # firsts merged into a trie
        return alternatives, leads

    def _anchors(self, pieces, zh: bool) -> Optional[tuple[str, ...]]:
        """Texts one of which every match of the phrase holds, for a quick test before its
        regex runs: the entries of one of its synonym lists, or one of its literal parts
        (one that fuzzy matching cannot change), whichever are the longest. None if none."""
        best: Optional[tuple[str, ...]] = None
        for kind, value in pieces:
            if kind == "syn":
                entries = self.synonyms.get(value, ())
                if not entries or any(e.startswith("re:") for e in entries):
                    continue
                candidate = tuple(dict.fromkeys(normalize(e) for e in entries))
            elif kind == "lit":
                norm = normalize(value)
                changeable = len(norm) >= 4 if zh else len(norm.split()) >= 3
                if self.fuzzy and changeable:
                    continue
                candidate = (norm,)
            else:
                continue
            if not all(candidate) or len(candidate) > 8:  # a long list: testing it costs what it saves
                continue
            if best is None or (min(map(len, candidate)), -len(candidate)) > (min(map(len, best)), -len(best)):
                best = candidate
        return best

    def _zh(self, pieces, gap, lead: bool = True):
        first_kind, first_value = pieces[0]
        if first_kind == "lit":
            norm = normalize(first_value)
            if not norm:
                raise PhraseError("a part of the phrase is empty after normalisation")
            firsts = [_zh_regex(v, lead, self.turn_start and lead) for v in _zh_variants(norm, self.fuzzy)]
        elif first_kind == "syn":
            firsts = self.entries(first_value, False, lead)
        else:
            firsts = None if lead else [f".{{0,{gap}}}"]
        if firsts is None:
            return None, ""
        rest = []
        for kind, value in pieces[1:]:
            if kind == "lit":
                norm = normalize(value)
                rest.append(_group([_zh_regex(v, False) for v in _zh_variants(norm, self.fuzzy)]))
            elif kind == "syn":
                rest.append(_group(self.entries(value, False, False)))
            else:
                rest.append(f".{{0,{gap}}}")
        return firsts, "".join(rest)

    def _en(self, pieces, gap, lead: bool = True):
        units: list[tuple[str, object]] = []  # ("words", [..]) | ("syn", name) | ("gap", None)
        for kind, value in pieces:
            if kind == "lit":
                words = normalize(value).split()
                if units and units[-1][0] == "words":
                    units[-1][1].extend(words)
                elif words:
                    units.append(("words", words))
            else:
                units.append((kind, value))
        kind, value = units[0]
        if kind == "words":
            firsts = [_en_regex(v, self.fuzzy, lead, self.turn_start and lead) for v in _en_variants(value, self.fuzzy)]
        elif kind == "syn":
            firsts = self.entries(value, True, lead)
        else:
            firsts = None if lead else [f"(?:\\S+ ){{0,{gap}}}"]
        if firsts is None:
            return None, ""
        rest, after_gap = "", kind == "gap"
        for kind, value in units[1:]:
            sep = "" if after_gap else " "
            if kind == "words":
                rest += sep + _group([_en_regex(v, self.fuzzy, False) for v in _en_variants(value, self.fuzzy)])
            elif kind == "syn":
                rest += sep + _group(self.entries(value, True, False))
            else:
                rest += sep + f"(?:\\S+ ){{0,{gap}}}"
            after_gap = kind == "gap"
        if not lead and units[0][0] != "gap":
            firsts = ["(?<![a-z0-9])" + f for f in firsts]
        return firsts, rest + _RIGHT_EDGE


class PhraseMatcher:
    """A compiled phrase list. ``regex`` finds any phrase; :meth:`first` also says which."""

    def __init__(self, phrases: Sequence[str], per_phrase: list[str], fast: Optional[re.Pattern | str],
                 slow: list[re.Pattern], first_chars: Optional[list[Optional[set[str]]]] = None,
                 grouped: Sequence[re.Pattern | str] = (), fast_all: Optional[str] = None,
                 at_words: Optional[tuple[tuple[re.Pattern, ...], tuple[re.Pattern, ...],
                                          Optional[tuple[str, ...]]]] = None,
                 anchors: Optional[dict[str, tuple[str, ...]]] = None):
        """``fast``: the leading alternatives merged into one regex; ``slow``: regexes that
        cannot lead, searched one by one. ``grouped``: phrases with many leading alternatives
        before a long rest, each searched as one regex of its own (compiling them into ``fast``
        took ~1 s); ``fast_all``: the source of ``fast`` with them included, which
        :meth:`finditer` uses (compiled the first time it is needed) so its hits stay those of
        one combined regex. ``at_words``: for clean English text (see :meth:`first`), the
        regexes of the phrases that start with a whole English word, tried only where a
        word starts, the regexes of all the other phrases, searched as usual, and the texts
        one of which every match of those others starts with (when known: the others are
        only searched in a text holding one; a few user regexes mostly hold none).

        ``fast`` and ``grouped`` may be given as sources, compiled the first time they are
        needed: with ``at_words``, clean English never needs them (the other text does).
        ``anchors``: for a grouped or slow regex (by its source), texts one of which every
        match holds: a text holding none is not searched with it."""
        self._at_words = at_words
        self._anchors = anchors or {}
        first_chars = first_chars if first_chars is not None else [None] * len(phrases)
        self.phrases = tuple(phrases)
        self._grouped_given = list(grouped)
        self._grouped_rx: Optional[list[re.Pattern]] = None
        if isinstance(fast, str) and not grouped and fast_all is None:
            fast_all = fast  # the same regex, compiled when first needed
        self._fast_all_source = fast_all
        self._fast_all: Optional[re.Pattern] = None if grouped or isinstance(fast, str) else fast
        self._regex: Optional[re.Pattern] = None
        # One regex per phrase, compiled the first time a hit needs it: only to say which
        # phrase matched, and most phrases never match (compiling them all took ~1 s per rubric).
        self._per_phrase_source = per_phrase
        self._per_phrase: list[Optional[re.Pattern]] = [None] * len(per_phrase)
        self._fast_given = fast
        self._slow = slow  # searched one by one: each keeps its own first-character index
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
    def _grouped(self) -> list[re.Pattern]:
        if self._grouped_rx is None:
            self._grouped_rx = [re.compile(g) if isinstance(g, str) else g for g in self._grouped_given]
        return self._grouped_rx

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
        candidates = self._by_first.get(text[start], ()) + self._anywhere if start < len(text) else self._anywhere
        for i in candidates:
            rx = self._per_phrase[i]
            if rx is None:
                rx = self._per_phrase[i] = re.compile(self._per_phrase_source[i])
            if rx.match(text, start):
                return self.phrases[i]
        return self.phrases[0]

    def finditer(self, text: str) -> Iterator[PhraseHit]:
        fast = self._all_leading()
        if not self._slow:
            if fast is not None:
                for m in fast.finditer(text):
                    yield PhraseHit(m.start(), m.end(), self._which(text, m.start()))
            return
        scans = ([fast] if fast is not None else []) + self._slow
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
        if padded is not None and self._at_words is not None:
            return self._first_at_words(text, pos, padded)
        fast = self._fast
        best = fast.search(text, pos) if fast is not None else None
        for rx in self._grouped + self._slow:  # ordered by start, a tie goes to _which: as one regex
            needs = self._anchors.get(rx.pattern)
            if needs is not None and not any(a in text for a in needs):
                continue
            m = rx.search(text, pos)
            if m is not None and (best is None or m.start() < best.start()):
                best = m
        if best is None:
            return None
        return PhraseHit(best.start(), best.end(), self._which(text, best.start()))

    def _first_at_words(self, text: str, pos: int, padded: str) -> Optional[PhraseHit]:
        # In ``padded`` each word regex is led by the character before a word ([\n @]: all
        # that can precede a word in clean English), so a match at padded[i] is a hit at text[i].
        at_words, others, prefixes = self._at_words  # type: ignore[misc]
        if prefixes is not None and not any(p in text for p in prefixes):
            others = ()
        best: Optional[tuple[int, int]] = None  # (start, end) in text
        for rx in at_words:  # ordered by start, a tie goes to _which: as one regex
            m = rx.search(padded, pos)
            if m is not None and (best is None or m.start() < best[0]):
                best = (m.start(), m.end() - 1)
        for rx in others:
            m = rx.search(text, pos)
            if m is not None and (best is None or m.start() < best[0]):
                best = (m.start(), m.end())
        if best is None:
            return None
        return PhraseHit(best[0], best[1], self._which(text, best[0]))

    def found_in(self, text: str) -> bool:
        """Whether any phrase occurs in ``text`` (the quick test for ``unless``)."""
        fast = self._fast
        if fast is not None and fast.search(text):
            return True
        return any(rx.search(text) for rx in self._grouped) or any(rx.search(text) for rx in self._slow)

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


def _factor(alternatives: list[str]) -> str:
    """One regex for leading alternatives: literal starts merged into a trie, user regexes
    (which start with a literal character) appended as they are."""
    items = [tuple(a.split(_SPLIT, 1)) for a in alternatives if _SPLIT in a]
    loose = list(dict.fromkeys(a for a in alternatives if _SPLIT not in a))
    return "|".join(_trie(items) + loose)


def compile_phrases(phrases: Sequence[str], synonyms: Mapping[str, Sequence[str]], *,
                    fuzzy: bool = True, gap: Optional[int] = None) -> PhraseMatcher:
    """Compile ``phrases`` into one matcher (raises :class:`PhraseError` naming the phrase)."""
    compiler = _Compiler(synonyms, fuzzy, gap)
    fast, slow, per_phrase, cleaned, first_chars = [], [], [], [], []
    grouped: list[str] = []
    anchors: dict[str, Optional[tuple[str, ...]]] = {}  # regex searched on its own -> texts one of which it needs
    fast_all: list[str] = []
    # The leading phrases again, split by whether each starts with a whole English word: in
    # clean English those are searched only where words start (see PhraseMatcher.first).
    word_fast: list[str] = []
    word_grouped: list[str] = []
    other_fast: list[str] = []
    other_grouped: list[str] = []
    other_prefixes: list[str] = []  # the literal start of every alternative searched as "other"
    for i, p in enumerate(phrases):
        if not isinstance(p, str) or not p.strip():
            raise PhraseError(f"phrase {i + 1} is empty or not text: {p!r}")
        p = p.strip()
        try:
            alternatives, leads = compiler.phrase(p)
        except PhraseError as exc:
            raise PhraseError(f"phrase {p!r}: {exc}") from None
        per_phrase.append(compiler.grouped or "|".join(_as_regex(a) for a in alternatives))
        literal_starts = {a.split(_SPLIT, 1)[0][:1] for a in alternatives if _SPLIT in a}
        first_chars.append(literal_starts if leads and all(_SPLIT in a for a in alternatives) else None)
        at_word = leads and all(_lead_word(a) is not None for a in alternatives)
        if (leads and compiler.grouped) or not leads:
            # regexes searched on their own: a quick test of the phrase's anchors comes first
            for source in [compiler.grouped] if leads else [_as_regex(a) for a in alternatives]:
                known = anchors.get(source, compiler.anchors)
                anchors[source] = compiler.anchors if known == compiler.anchors else None
        if leads and compiler.grouped:
            grouped.append(compiler.grouped)
            fast_all.extend(alternatives)
            (word_grouped if at_word else other_grouped).append(compiler.grouped)
        elif leads:
            fast.extend(alternatives)
            fast_all.extend(alternatives)
            (word_fast if at_word else other_fast).extend(alternatives)
        else:
            slow.extend(_as_regex(a) for a in alternatives)
        if not at_word:
            other_prefixes.extend(_alternative_prefix(a) for a in alternatives)
        cleaned.append(p)
    try:
        at_words = None
        if word_fast or word_grouped:
            slow_sources = list(dict.fromkeys(slow))
            # All the word-led phrases in one regex, grouped ones as they are (compact): one
            # pass that stops at the first word where any matches, not one pass per part.
            word_sources = ([_factor(word_fast)] if word_fast else []) + list(dict.fromkeys(word_grouped))
            at_words = (
                (re.compile(f"{_BEFORE_WORD}(?:" + "|".join(f"(?:{source})" for source in word_sources) + ")"),),
                tuple(re.compile(source) for source in ([_factor(other_fast)] if other_fast else [])
                      + list(dict.fromkeys(other_grouped)) + slow_sources),
                _required_prefixes(other_prefixes),
            )
        # An English phrase list (at_words, no Chinese phrase) needs the regexes over all its
        # leading phrases only for text that is not clean English: compiled then, if ever.
        english = at_words is not None and not any(is_cjk_text(p) for p in cleaned)
        compile_now = str if english else re.compile
        return PhraseMatcher(cleaned, per_phrase, compile_now(_factor(fast)) if fast else None,
                             [re.compile(s) for s in dict.fromkeys(slow)], first_chars,
                             [compile_now(g) for g in dict.fromkeys(grouped)],
                             _factor(fast_all) if grouped and fast_all else None, at_words,
                             {k: v for k, v in anchors.items() if v})
    except re.error as exc:
        for p, source in zip(cleaned, per_phrase):  # name the phrase (each is compiled only now)
            try:
                re.compile(source)
            except re.error as own:
                raise PhraseError(f"phrase {p!r} does not compile: {own}") from None
        raise PhraseError(f"phrases do not compile together: {exc}") from None
