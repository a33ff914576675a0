"""The texts a regex needs before it is searched, found in one pass over the text.

A regex searched on its own (:class:`qa_pipeline.rubric.matching._Alone`) is tried only in text
that holds one text of each choice it needs (``required_choices``) and one of its anchors.
Tested one ``in`` at a time, those tests cost more than the searches they save: English B2's
85 regexes asked ~250 of them of an agent's ~800 characters, ≈ 0.14 ms a call, and the tests
were an eighth of all scoring time (py-spy, stop 30). With an Aho–Corasick automaton
(``pyahocorasick``) every needed text the regexes of a list can ask for is found in one pass
in C (≈ 0.03 ms for those 85), and a regex's gate is a set test. Without the package the tests
are made one by one, as before: the same answer either way (a text is found by the automaton
exactly when it is ``in`` the text).

>>> gates = Gates({0: (("refund", "money back"), ("late",)), 1: (("broken",),)})
>>> found = gates.found("the refund came late")
>>> gates.hold(0, "the refund came late", found), gates.hold(1, "the refund came late", found)
(True, False)
"""
from __future__ import annotations

from typing import Mapping, Optional

try:  # C Aho–Corasick: optional, the answer is the same without it (slower)
    import ahocorasick
except ImportError:  # pragma: no cover - exercised where the package is not installed
    ahocorasick = None

__all__ = ["Gates", "holds"]

# Fewer distinct texts (of more than SHORT characters) than this: the ``in`` tests cost less than a
# pass of the automaton. Replayed on the bench's 2,000 calls: lists of 180–600 texts take 0.7×
# the time, lists of 50–80 up to 1.4×.
AUTOMATON_FROM = 150
SHORT = 2  # texts this long or shorter are looked for with ``in``


def holds(text: str, choices: tuple[tuple[str, ...], ...]) -> bool:
    """Whether ``text`` holds one text of each of ``choices``."""
    for choice in choices:
        for a in choice:
            if a in text:
                break
        else:
            return False
    return True


class Gates:
    """The choices each regex (by index) needs the text to hold one text of."""

    __slots__ = ("_automaton", "_choices", "_sets")

    def __init__(self, choices: Mapping[int, tuple[tuple[str, ...], ...]], automaton: Optional[bool] = None):
        """``automaton``: use the automaton (None: where it is installed and worth it)."""
        self._choices = dict(choices)
        # Texts of one or two characters (" ", "is", 您) are in almost every text: an ``in`` test
        # finds them at once, where the automaton would hand back each of their ~150 places.
        texts = {a for needed in self._choices.values() for choice in needed for a in choice if len(a) > SHORT}
        if automaton is None:
            automaton = ahocorasick is not None and len(texts) >= AUTOMATON_FROM
        self._automaton = None
        self._sets: dict[int, tuple[tuple[tuple[str, ...], frozenset[str]], ...]] = {}
        if automaton and texts:
            machine = ahocorasick.Automaton()
            for a in sorted(texts):
                machine.add_word(a, a)
            machine.make_automaton()
            self._automaton = machine
            self._sets = {i: tuple((tuple(a for a in c if len(a) <= SHORT), frozenset(a for a in c if len(a) > SHORT))
                                   for c in needed) for i, needed in self._choices.items()}

    def __contains__(self, i: int) -> bool:
        return i in self._choices

    def found(self, text: str) -> Optional[set[str]]:
        """Every needed text that ``text`` holds (one pass), or None without the automaton."""
        if self._automaton is None:
            return None
        return {a for _, a in self._automaton.iter(text)}

    def hold(self, i: int, text: str, found: Optional[set[str]]) -> bool:
        """Whether ``text`` holds what regex ``i`` needs (True for one that needs nothing);
        ``found``: :meth:`found` of ``text``, where the automaton is used."""
        if found is None:
            needed = self._choices.get(i)
            return needed is None or holds(text, needed)
        for short, long in self._sets.get(i, ()):
            for a in short:
                if a in text:
                    break
            else:
                if long.isdisjoint(found):
                    return False
        return True
