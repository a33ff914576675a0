"""Phrase syntax compiled into regular-expression sources (what :mod:`.matching` searches).

Phrase syntax (after :func:`~qa_pipeline.rubric.text.normalize`):

* plain text: ``感谢您的来电``, ``thank you for calling``;
* ``...`` (or ``…``): a short gap of any words (up to ``gap`` characters in Chinese,
  words in English): ``请...提供`` matches 请您提供, 请您帮忙提供;
* ``{name}``: any entry of the rubric's synonym list ``name``;
* ``^`` at the start / ``$`` at the end: only at the start / end of a turn;
* ``re:`` followed by a regular expression over the normalised text.

Fuzzy matching tolerates speech-recognition errors: a Chinese stretch of four or more characters also
matches with one inner character wrong (感谢您的来电 ~ 感谢您的来店), an English phrase of three or more words
also matches with one extra word between its words, and a phrase of four or more words with one inner word
dropped (thank you for calling ~ thank you calling).

Every variant of every phrase is written to start with a literal character (a "leading"
alternative: the literal, :data:`SPLIT`, then the rest), so the regex engine skips straight
to the positions where some phrase can start. :class:`PhraseCompiler` also says, for each
phrase, a few texts every match holds (its anchors), for a quick test before a search.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Mapping, Optional, Sequence

from qa_pipeline.language import has_chinese
from qa_pipeline.rubric.text import normalize as _normalize

# Phrases and synonym entries normalised once per process: a synonym list is written out for
# every phrase that names it ({ident}: 156 entries, in ~50 phrases of a list).
normalize = lru_cache(maxsize=1 << 15)(_normalize)

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


# A "leading" alternative is written LITERAL + SPLIT + REST: the literal text it must start with (unescaped)
# and the regex that follows. Literals are merged into a trie: the engine indexes on the first character.
SPLIT = "\x02"
_EDGE_PREFIX = re.compile(r"\(\?<!\[(?:a-z0-9|\^\\n)\][^()]*\)")  # the checks _lead writes


def _lead(text: str, english: bool, turn_start: bool = False) -> str:
    """``text`` as a leading alternative; the edge before it (a word edge in English, the
    start of a turn for ``^`` phrases) is checked once it has matched."""
    escaped = re.escape(text)
    if turn_start:
        return text + SPLIT + f"(?<![^\n]{escaped})"
    return text + SPLIT + (f"(?<![a-z0-9]{escaped})" if english else "")


_WORD = re.compile(r"[a-z0-9]+")
_LEFT_EDGES = ("(?<![a-z0-9]", "(?<![^\n]")  # what _lead writes after the literal


def lead_word(alternative: str) -> Optional[str]:
    """The English literal a leading alternative starts with, when a word edge (or a turn
    start) is checked before it: the alternative can only match where a word starts.
    None when it may start elsewhere (Chinese, a regex, a gap)."""
    if SPLIT not in alternative:
        return None
    literal, rest = alternative.split(SPLIT, 1)
    if not _WORD.fullmatch(literal):
        return None
    for edge in _LEFT_EDGES:
        check = edge + re.escape(literal) + ")"
        if rest.startswith(check):
            return literal
    return None


def as_regex(alternative: str) -> str:
    if SPLIT not in alternative:
        return alternative
    literal, rest = alternative.split(SPLIT, 1)
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


@lru_cache(maxsize=512)
def _parsed(body: str):
    """``body`` parsed by Python's own regex parser (None when it does not parse). Kept: a
    regex searched on its own is read for its needs and whether it starts at a word; the
    parse is only read, never changed."""
    try:
        from re import _parser as sre_parse  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover
        import sre_parse  # type: ignore[no-redef]
    try:
        return sre_parse.parse(body)
    except re.error:
        return None


def _starts_literal(body: str) -> bool:
    """Whether a user regex starts with a literal character (only a literal keeps the
    combined regex's first-character index; a set would not)."""
    parsed = _parsed(body)
    return bool(parsed is not None and parsed.data and str(parsed.data[0][0]) == "LITERAL")


def _literal_prefix(source: str) -> str:
    """The text every match of ``source`` starts with ('' when none is certain): the literal
    characters at its start, after zero-width checks (edges, lookarounds)."""
    parsed = _parsed(source)
    if parsed is None or parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
        return ""
    prefix = []
    for op, av in parsed.data:
        name = str(op)
        if name == "LITERAL":
            prefix.append(chr(av))
        elif name in ("AT", "ASSERT", "ASSERT_NOT") and not prefix:
            continue
        else:
            break
    return "".join(prefix)


# Zero-width checks a regex source may start with (lookbehinds without nested groups): the
# text a match starts with is what follows them.
_LOOKBEHINDS = re.compile(r"(?:\(\?<[!=](?:\[(?:\\.|[^\]\\])*\]|\\[^A-Za-z0-9]|[^()\\\[\]])*\))*")
_SPECIAL = frozenset(".^$*+?{}[]|()\\")
_QUANTIFIERS = frozenset("*+?{")


def literal_start(source: str) -> str:
    """The text every match of the regex ``source`` starts with, read off the source without
    parsing it ('' when unsure): its literal characters after any leading lookbehinds, the
    last left out when a quantifier follows, nothing at all when the source has an
    alternation at its top level or starts with flags. A regex is searched only in text that
    holds this (see :class:`~qa_pipeline.rubric.matching.PhraseMatcher`), and compiled only then.

    >>> literal_start("(?<![a-z0-9])thank you(?:\\S+ )?so")
    'thank you'
    >>> literal_start("姓名.{0,8}核对"), literal_start("ab?c"), literal_start("ab|c")
    ('姓名', 'a', '')
    """
    i = _LOOKBEHINDS.match(source).end()  # type: ignore[union-attr]  # matches the empty string
    out: list[str] = []
    n = len(source)
    while i < n:
        c = source[i]
        if c == "\\":
            escaped = source[i + 1:i + 2]
            if not escaped or escaped.isalnum() or escaped == "_":  # a class (\d), an escape (\n), a reference
                break
            out.append(escaped)
            i += 2
        elif c in _SPECIAL:
            break
        else:
            out.append(c)
            i += 1
    if out and i < n and source[i] in _QUANTIFIERS:
        out.pop()  # the last character may repeat or be left out
    if not out or _top_level_alternation(source):
        return ""
    return "".join(out)


def required_texts(source: str, most: int = 16) -> Optional[tuple[str, ...]]:
    """Texts one of which every match of the regex ``source`` holds, read from its parse
    (for a regex with no literal start: ``[\\u4e00-\\u9fff]{1,3}证号`` needs 证号); the
    longest such choice found. None when none is certain, or more than ``most`` would be."""
    parsed = _parsed(source)
    if parsed is None or parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    found = _required(list(parsed.data), most)
    return tuple(sorted(found)) if found else None


def required_choices(source: str, most: int = 64, keep: int = 3) -> tuple[tuple[str, ...], ...]:
    """Choices of texts every match of the regex ``source`` holds, one text of each choice
    (each part of the regex that must match gives one): ``we (?:went|gone) (?:over|through)``
    needs ``we `` and one of went/gone and one of over/through. The ``keep`` longest, the one
    whose shortest text is longest first: a text without one of the first is skipped soonest.
    None certain (or each of more than ``most`` texts): ``()``.

    >>> required_choices("we (?:went|gone) (?:over|through)")
    (('gone', 'went'), ('over', 'through'), ('we ',))
    """
    parsed = _parsed(source)
    if parsed is None or parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
        return ()
    found = sorted(set(_all_required(list(parsed.data), most)), key=lambda c: (-min(map(len, c)), len(c), sorted(c)))
    return tuple(tuple(sorted(c)) for c in found[:keep])


def _usable(choice: Optional[frozenset], most: int) -> bool:
    return bool(choice) and all(choice) and len(choice) <= most  # type: ignore[arg-type]


def _better(new: Optional[frozenset], best: Optional[frozenset], most: int) -> Optional[frozenset]:
    if not _usable(new, most):
        return best
    if best is None or (min(map(len, new)), -len(new)) > (min(map(len, best)), -len(best)):  # type: ignore[arg-type]
        return new
    return best


def _required(items: list, most: int) -> Optional[frozenset]:
    """The best choice :func:`_all_required` finds in a parsed sequence (the longest
    shortest text, then the fewest texts)."""
    best: Optional[frozenset] = None
    for choice in _all_required(items, most):
        best = _better(choice, best, most)
    return best


def _all_required(items: list, most: int) -> list[frozenset]:
    """Every choice of texts a parsed sequence needs, one of each: its literal runs, and what
    a group, an alternation (one text of each branch) or a repeat of at least one needs."""
    found: list[frozenset] = []
    run: list[str] = []
    for op, av in items + [(None, None)]:
        name = str(op)
        if name == "LITERAL":
            run.append(chr(av))
            continue
        if run:
            found.append(frozenset(["".join(run)]))
            run = []
        if name == "SUBPATTERN" and not av[1] & re.IGNORECASE:
            found += _all_required(list(av[3].data), most)
        elif name == "BRANCH":
            branches = [_required(list(b.data), most) for b in av[1]]
            if all(branches):
                found.append(frozenset().union(*branches))  # type: ignore[arg-type]
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and av[0] >= 1:
            found += _all_required(list(av[2].data), most)
    return [c for c in found if _usable(c, most)]


_WORD_CHARS = frozenset(map(ord, "abcdefghijklmnopqrstuvwxyz0123456789"))


def word_led(source: str) -> bool:
    r"""Whether every match of the regex ``source`` starts where a word starts — a word edge
    (``\b``) before a letter or digit, after lookbehinds if any — and nothing in it can tell
    the start of the text from a newline before it (no ``^`` or ``\A``, no lookbehind that
    could match a newline). Then in clean English (a-z, 0-9, spaces, newlines and '@', what
    normalising English gives) the regex finds the same as ``[\n @](?:source)`` in the text
    with a newline in front, which the regex engine tries only after a space, a newline or an
    '@' instead of at every character (:meth:`~qa_pipeline.rubric.matching.PhraseMatcher.first`).

    >>> word_led("(?<!as )\\b(?:we|i) (?:have )?already told you"), word_led("\\b(?:so|very) unfair")
    (True, True)
    >>> word_led("already told you"), word_led("\\b you"), word_led("^\\bno"), word_led("(?<!\\s)\\bno")
    (False, False, False, False)
    """
    parsed = _parsed(source)
    if parsed is None or parsed.state.flags & ~re.UNICODE:  # (?i) changes the edges; (?s)… must stay first
        return False
    return _starts_at_word(list(parsed.data)) and _sees_no_text_start(list(parsed.data))


def line_led(source: str) -> bool:
    r"""Whether every match of the regex ``source`` starts at a turn's start — ``(?<![^\n])``
    in every alternative, after lookarounds if any — and nothing in it can tell the start of
    the text from a newline before it (as for :func:`word_led`). Then in any text the regex
    finds the same as ``\n(?:source)`` in the text with a newline in front, which the regex
    engine tries only after a newline (it skips to its literal first character) instead of at
    every character.

    >>> line_led("(?<![^\\n])姓名"), line_led("(?:(?<![^\\n])no|(?<![^\\n])好)"), line_led("(?:(?<![^\\n])no|\\bnot)")
    (True, True, False)
    """
    parsed = _parsed(source)
    if parsed is None or parsed.state.flags & ~re.UNICODE:  # a global flag ((?s)…) must stay first
        return False
    return _starts_at_word(list(parsed.data), words=False) and _sees_no_text_start(list(parsed.data))


def _starts_at_word(items: list, words: bool = True) -> bool:
    r"""A parsed sequence that can only match from a word edge before a letter or digit, or
    at a turn's start (``(?<![^\n])``: after a newline or at the start of the text); with
    ``words`` False, only at a turn's start."""
    i = 0
    while i < len(items) and str(items[i][0]) in ("ASSERT", "ASSERT_NOT"):  # lookarounds first
        if _is_line_start(items[i]):
            return True
        i += 1
    if i == len(items):
        return False
    op, av = items[i]
    if str(op) == "SUBPATTERN" and not av[1] and not av[2]:
        return _starts_at_word(list(av[3].data), words)
    if str(op) == "BRANCH":  # every alternative: English C2's summary check, "(?<![^\n])(?:\S+ ){0,4}?so …|\bok …so …"
        return all(_starts_at_word(list(b.data), words) for b in av[1])
    if not words or str(op) != "AT" or str(av) != "AT_BOUNDARY":
        return False
    i += 1
    while i < len(items) and str(items[i][0]) in ("ASSERT", "ASSERT_NOT"):
        i += 1
    return i < len(items) and _first_is_word_char(items[i])


def _first_is_word_char(item) -> bool:
    """Whether what a parsed item matches always starts with a letter or digit (a-z, 0-9)."""
    op, av = item
    name = str(op)
    if name == "LITERAL":
        return av in _WORD_CHARS
    if name == "IN":
        return all(str(o) == "LITERAL" and a in _WORD_CHARS
                   or str(o) == "RANGE" and all(c in _WORD_CHARS for c in range(a[0], a[1] + 1)) for o, a in av)
    if name == "BRANCH":
        return all(b.data and _first_is_word_char(b.data[0]) for b in av[1])
    if name == "SUBPATTERN" and not av[1] and not av[2]:
        return bool(av[3].data) and _first_is_word_char(av[3].data[0])
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        return av[0] >= 1 and bool(av[2].data) and _first_is_word_char(av[2].data[0])
    return False


def _is_line_start(item) -> bool:
    r"""Whether a parsed item is ``(?<![^\n])``: true after a newline and at the start of the
    text alike, so it cannot tell the two apart."""
    op, av = item
    if str(op) != "ASSERT_NOT" or av[0] >= 0 or len(av[1].data) != 1:
        return False
    inner_op, inner = av[1].data[0]
    if str(inner_op) == "NOT_LITERAL":  # how the parser writes [^\n]
        return inner == 10
    return str(inner_op) == "IN" and [(str(o), a) for o, a in inner] == [("NEGATE", None), ("LITERAL", 10)]


def _sees_no_text_start(items: list) -> bool:
    r"""No ``^``/``\A`` anywhere, and every lookbehind made only of what cannot match a newline
    (or ``(?<![^\n])``, which holds after a newline as at the start)."""
    for op, av in items:
        name = str(op)
        if _is_line_start((op, av)):
            continue
        if name == "AT" and str(av) in ("AT_BEGINNING", "AT_BEGINNING_STRING", "AT_BEGINNING_LINE"):
            return False
        if name in ("ASSERT", "ASSERT_NOT"):
            if av[0] < 0 and not _never_newline(list(av[1].data)):  # a lookbehind
                return False
            if not _sees_no_text_start(list(av[1].data)):
                return False
        elif name == "SUBPATTERN" and not _sees_no_text_start(list(av[3].data)):
            return False
        elif name == "BRANCH" and not all(_sees_no_text_start(list(b.data)) for b in av[1]):
            return False
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and not _sees_no_text_start(list(av[2].data)):
            return False
        elif name in ("GROUPREF_EXISTS", "ATOMIC_GROUP"):
            return False
    return True


def _never_newline(items: list) -> bool:
    """A parsed sequence made only of literals other than a newline (and sets, alternations,
    groups and repeats of them): it cannot match a newline."""
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            if av == 10:
                return False
        elif name == "IN":
            if not all(str(o) == "LITERAL" and a != 10 or str(o) == "RANGE" and not a[0] <= 10 <= a[1] for o, a in av):
                return False
        elif name == "BRANCH":
            if not all(_never_newline(list(b.data)) for b in av[1]):
                return False
        elif name == "SUBPATTERN":
            if not _never_newline(list(av[3].data)):
                return False
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            if not _never_newline(list(av[2].data)):
                return False
        else:
            return False
    return True


_LOOKAROUND_FIRST = re.compile(r"(?:\(\?:|\\b)*\(\?<?[=!]")  # a lookaround first (after groups, edges)


def lead_first(source: str, most: int = 64) -> str:
    r"""``source`` with a lookahead in front for the texts every match starts with, when its
    lookarounds come before them; else ``source``. The lookahead only adds a condition every
    match meets and captures nothing: the same matches, groups and ends, the lookarounds tested
    only where a match can start. English B2's ``(?![^\n]*\b(?:thank|…)\b)\b(?:always|never|…)…``
    read the rest of the turn at every word: ≈ 0.9 ms a search over an agent's text, 0.07 led.

    >>> lead_first("(?!.*thanks)\\b(?:always|never) again")
    '(?=always|never)(?:(?!.*thanks)\\b(?:always|never) again)'
    >>> lead_first("(?<!no )one"), lead_first("always"), lead_first("(?!x)\\w+")
    ('(?=one)(?:(?<!no )one)', 'always', '(?!x)\\w+')
    """
    if not _LOOKAROUND_FIRST.match(source):
        return source
    parsed = _parsed(source)
    if parsed is None or parsed.state.flags & ~re.UNICODE:  # a global flag must stay first
        return source
    leads = _leads(list(parsed.data), most)
    if not leads:
        return source
    return f"(?={'|'.join(re.escape(t) for t in sorted(leads))})(?:{source})"


def _leads(items: list, most: int) -> Optional[frozenset]:
    """The texts one of which every match of a parsed sequence starts with, after its edges and
    lookarounds; None when not certain (a set, an optional or case-blind part) or over ``most``."""
    i = 0
    while i < len(items) and str(items[i][0]) in ("AT", "ASSERT", "ASSERT_NOT"):
        i += 1
    run = []
    while i < len(items) and str(items[i][0]) == "LITERAL":
        run.append(chr(items[i][1]))
        i += 1
    if run:
        return frozenset(["".join(run)])
    if i == len(items):
        return None
    op, av = items[i]
    name = str(op)
    if name == "SUBPATTERN" and not av[1] and not av[2]:
        return _leads(list(av[3].data), most)
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and av[0] >= 1:
        return _leads(list(av[2].data), most)
    if name == "BRANCH":
        found: set[str] = set()
        for branch in av[1]:
            lead = _leads(list(branch.data), most)
            if not lead:
                return None
            found |= lead
        return frozenset(found) if len(found) <= most else None
    return None


def _top_level_alternation(source: str) -> bool:
    """Whether ``source`` holds a ``|`` outside every group and character set."""
    depth, i, n = 0, 0, len(source)
    while i < n:
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":  # a set: up to its closing bracket (one right after [ or [^ is a member)
            i += 1
            if i < n and source[i] == "^":
                i += 1
            if i < n and source[i] == "]":
                i += 1
            while i < n and source[i] != "]":
                i += 2 if source[i] == "\\" else 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return True
        i += 1
    return False


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


class PhraseCompiler:
    def __init__(self, synonyms: Mapping[str, Sequence[str]], fuzzy: bool, gap: Optional[int]):
        self.synonyms = synonyms
        self.fuzzy = fuzzy
        self.gap = gap
        self.turn_start = False  # set while compiling a ^ phrase
        self.grouped: Optional[str] = None  # set by phrase(): see there
        self.anchors: Optional[tuple[str, ...]] = None  # set by phrase(): see _anchors
        self.lead_rest: Optional[tuple[tuple[str, ...], str]] = None  # set by phrase(): see there
        self._entries: dict[tuple, Optional[list[str]]] = {}  # entries() by its arguments and turn_start
        self._compact = False  # set while phrase() writes the rest for start-finding searches
        self._compact_groups: dict[tuple[str, bool], str] = {}
        self.grouped_start: Optional[str] = None  # set by phrase(): see there

    def entries(self, name: str, english: bool, lead: bool) -> Optional[list[str]]:
        """Regexes of a synonym list's entries; None when one is a regex (cannot lead)."""
        key = (name, english, lead, self.turn_start)
        if key not in self._entries:
            self._entries[key] = self._written(name, english, lead)
        made = self._entries[key]
        return None if made is None else list(made)

    def _written(self, name: str, english: bool, lead: bool) -> Optional[list[str]]:
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
            if has_chinese(entry):
                out.append(_zh_regex(norm, lead, self.turn_start and lead))
            else:
                regex = _en_regex(words, False, lead, self.turn_start and lead)
                out.append(regex + _RIGHT_EDGE if english else regex)
        return sorted(out, key=len, reverse=True)

    def _rest_group(self, name: str, english: bool) -> str:
        """A synonym list after a phrase's start: its entries in one group, longest first;
        while :attr:`_compact`, merged into a trie instead (the same texts match, the longest
        is not always the one taken: for the searches that read only where a hit starts)."""
        exact = self.entries(name, english, False)  # also refuses a bad list, as always
        if not self._compact:
            return _group(exact)  # type: ignore[arg-type]
        key = (name, english)
        if key not in self._compact_groups:
            items = []
            for entry in self.synonyms[name]:
                if entry.startswith("re:"):
                    items.append(f"(?:{entry[3:]})")
                    continue
                norm = normalize(entry)
                chinese = has_chinese(entry)
                literal = norm if chinese else " ".join(norm.split())
                items.append(literal + SPLIT + (_RIGHT_EDGE if english and not chinese else ""))
            self._compact_groups[key] = "(?:" + factor(items) + ")"
        return self._compact_groups[key]

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
        self.grouped = None  # a regex phrase must not keep the grouping of the phrase before it
        self.lead_rest = self.grouped_start = None
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
        zh = has_chinese(phrase) or any(
            has_chinese(e) for name in _TOKEN.findall(phrase) if name for e in self.synonyms.get(name, ()))
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
        # For the searches that read only where a hit starts: the rest with its synonym lists
        # merged into tries ({ident}: 156 entries after "can you confirm ..." in a dozen
        # phrases of a list), and the leading alternatives with it, which :func:`factor_shared`
        # writes once for the phrases that share them.
        self.lead_rest = self.grouped_start = None
        start_rest = rest
        if leads:
            self._compact = True
            try:
                start_rest = (self._zh if zh else self._en)(pieces, gap)[1]
            finally:
                self._compact = False
            self.lead_rest = (tuple(firsts), start_rest + tail)
        # Many leading alternatives ({synonyms}) before a long rest: the rest is written once
        # per alternative in ``alternatives``; ``grouped`` is the same language with it written once.
        self.grouped = None
        if leads and len(firsts) > 1 and len(rest) * (len(firsts) - 1) > GROUP_ABOVE:
            self.grouped = "(?:" + factor(firsts) + ")" + rest + tail  # firsts merged into a trie
            self.grouped_start = "(?:" + factor(firsts) + ")" + start_rest + tail
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
                rest.append(self._rest_group(value, False))
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
        if not units:  # punctuation alone, e.g. "?"
            raise PhraseError("the phrase is empty after normalisation (punctuation alone matches nothing)")
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
                rest += sep + self._rest_group(value, True)
            else:
                rest += sep + f"(?:\\S+ ){{0,{gap}}}"
            after_gap = kind == "gap"
        if not lead and units[0][0] != "gap":
            firsts = ["(?<![a-z0-9])" + f for f in firsts]
        return firsts, rest + _RIGHT_EDGE


def factor_shared(alternatives: Sequence[str], shared: Mapping[str, tuple[tuple[str, ...], str]]) -> str:
    """One regex that matches where :func:`factor` of ``alternatives`` matches — at the same
    places, not always to the same end — with the alternatives of phrases that share their
    leading alternatives written once: ``shared`` maps such an alternative to its phrase's
    (leading alternatives, rest), the rest as written for such searches (its synonym lists as
    tries: :meth:`PhraseCompiler.phrase`). The phrases led by the same list ({ident}: ~200 entries) are
    written ``(?:entries)(?:rest|rest|…)`` instead of every entry before every rest: English
    identity requests (``{ident} please``, ``{ident} you provided`` …) made three regexes of
    142,000, 67,000 and 39,000 characters that took ≈ 0.3–0.65 s to compile at every load.

    An alternation matches at a place when one of its branches does, so ``(?:e1|e2)(?:r1|r2)``
    matches where ``e1r1|e1r2|e2r1|e2r2`` does; which branch it takes there (so where the match
    ends) may differ. Used for searches that read only where the first hit starts
    (:meth:`~qa_pipeline.rubric.matching.PhraseMatcher.first`, which takes a hit's end from the
    phrase it names); :meth:`~qa_pipeline.rubric.matching.PhraseMatcher.finditer` keeps
    :func:`factor` of every alternative."""
    plain: list[str] = []
    rests: dict[tuple[str, ...], list[str]] = {}
    for a in alternatives:
        split = shared.get(a)
        if split is None:
            plain.append(a)
        elif len(split[0]) == 1:  # one leading alternative: in the trie with the others
            plain.append(split[0][0] + split[1])
        elif split[1] not in rests.setdefault(split[0], []):
            rests[split[0]].append(split[1])
    parts = [factor(plain)] if plain else []
    for firsts, tails in rests.items():
        parts.append(f"(?:{factor(list(firsts))})" + (tails[0] if len(tails) == 1 else "(?:" + "|".join(tails) + ")"))
    return "|".join(parts)


def factor(alternatives: list[str]) -> str:
    """One regex for leading alternatives: literal starts merged into a trie, user regexes
    (which start with a literal character) appended as they are."""
    items = [tuple(a.split(SPLIT, 1)) for a in alternatives if SPLIT in a]
    loose = list(dict.fromkeys(a for a in alternatives if SPLIT not in a))
    return "|".join(_trie(items) + loose)
