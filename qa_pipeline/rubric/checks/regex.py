"""regex: a regular expression over the normalised (default) or the transcribed text.

Use it where a phrase list cannot say it: "a run of 13–19 digits", "a question ending the
turn". ``on: raw`` searches the text as transcribed, with its case and punctuation.

.. code-block:: yaml

    type: regex
    on: raw
    pattern: '\\bwhatever[.!]?\\s*$'

PASS (agent, on raw): "Whatever." — a dismissive one-word answer.
FAIL (agent, on raw): "Whatever works best for you." — the pattern needs the turn to end.
"""
from __future__ import annotations

import re

from qa_pipeline.rubric.checks.base import SCOPE_OPTIONS, Builder, Option, Scope
from qa_pipeline.rubric.checks.phrases import unless_test
from qa_pipeline.rubric.checks.scan import TextNode, regex_finder

ID = "regex"
OPTIONS = {
    "pattern": Option((str, list), required=True, items=(str,), help="a regular expression or a list of them"),
    "on": Option((str,), "normalized", choices=("normalized", "raw"), help="which text to search"),
    "ignore_case": Option((bool,), True, help="ignore upper/lower case"),
    "unless": Option((list,), items=(str,), help="phrases that cancel a hit in the same turn"),
    "min_count": Option((int,), 1, help="hits needed"),
    **SCOPE_OPTIONS,
}


def compile_patterns(patterns, ignore_case: bool) -> re.Pattern:
    """One regex with a named group per pattern; raises re.error naming the bad pattern."""
    if isinstance(patterns, str):
        patterns = [patterns]
    flags = re.MULTILINE | (re.IGNORECASE if ignore_case else 0)
    for p in patterns:
        try:
            re.compile(p, flags)
        except re.error as exc:
            raise re.error(f"{p!r}: {exc}") from None
    return re.compile("|".join(f"(?P<p{i}>{p})" for i, p in enumerate(patterns)), flags)


def build(options: dict, builder: Builder):
    patterns = options["pattern"]
    patterns = [patterns] if isinstance(patterns, str) else list(patterns)
    regex = compile_patterns(patterns, options.get("ignore_case", True))
    return TextNode(ID, regex_finder(regex, tuple(patterns), raw=options.get("on") == "raw"),
                    Scope.from_options(options, builder), label=options.get("name") or "pattern",
                    unless=unless_test(builder, options.get("unless")), min_count=options.get("min_count", 1))
