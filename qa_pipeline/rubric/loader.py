"""Read and validate a rubric YAML file into a :class:`~qa_pipeline.rubric.model.Rubric`.

Everything is checked before anything is scored: unknown check types, unknown or
mistyped options, values outside the allowed choices, duplicate ids, references to
unknown checks or conditions, and cycles between checks. Every error is an
:class:`~qa_pipeline.errors.InputError` naming the file, the check, the option and what
is allowed.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional

import yaml

from qa_pipeline import package_data
from qa_pipeline.errors import InputError
from qa_pipeline.records import SPEAKERS
from qa_pipeline.rubric.checks import CHECK_TYPES
from qa_pipeline.rubric.checks.base import Node, Option
from qa_pipeline.rubric.checks.logic import UseRef
from qa_pipeline.rubric.matching import PhraseError, compile_phrases
from qa_pipeline.rubric.model import Check, FlagRules, MetricFlag, Rubric, RubricTest, Section

__all__ = ["load_rubric", "parse_rubric"]

SHORTHANDS = {"all": "of", "any": "of", "not": "of", "absence": "of", "check": "check", "use": "use"}
TOP_KEYS = {"id", "version", "title", "languages", "description", "synonyms", "conditions", "sections",
            "checks", "flags", "tests"}
CHECK_KEYS = {"id", "title", "section", "weight", "critical", "kind", "rule", "applies_when", "description"}
OUTCOMES = ("pass", "fail", "na")


class _Builder:
    """Builds condition trees, tracking where in the file it is for error messages."""

    def __init__(self, path: str, synonyms: dict, conditions: dict):
        self.path = path
        # Where files a rubric names (exemplar banks) are looked up: beside the rubric file, or
        # beside the standard rubrics for a rubric given as data.
        self.rubric_dir = Path(path).parent if Path(path).is_file() else package_data.rubrics_dir()
        self.synonyms = synonyms
        self.raw_conditions = conditions
        self.conditions: dict[str, Node] = {}
        self._building: list[str] = []
        self.where: list[str] = []
        self._matchers: dict = {}
        # The check whose rule or applies_when is being built (None while a named condition is),
        # and what was asked to run once every check is built (:meth:`when_built`).
        self.check_id: Optional[str] = None
        self._when_built: list = []

    def error(self, problem: str) -> InputError:
        return InputError(self.path, f"{' › '.join(self.where)}: {problem}")

    def matcher(self, phrases: list, *, fuzzy: bool = True, gap: Optional[int] = None):
        key = (tuple(phrases), fuzzy, gap)
        if key not in self._matchers:
            try:
                self._matchers[key] = compile_phrases(phrases, self.synonyms, fuzzy=fuzzy, gap=gap)
            except PhraseError as exc:
                raise self.error(str(exc)) from None
        return self._matchers[key]

    def when_built(self, link) -> None:
        """Run ``link(check_id, checks, order)`` once every check of the rubric is built and its
        evaluation order known (``checks`` by id): a condition that reads other checks' rules (the
        learned check's ``acts``). ``check_id`` is the check being built now, None inside a named
        condition; errors ``link`` raises with :meth:`error` name the place it was asked from."""
        self._when_built.append((self.check_id, list(self.where), link))

    def use(self, name: str) -> Node:
        if name not in self.raw_conditions:
            known = ", ".join(sorted(self.raw_conditions)) or "none defined"
            raise self.error(f"unknown condition '{name}' (conditions: {known})")
        if name not in self.conditions:
            if name in self._building:
                raise self.error(f"conditions refer to each other in a cycle: {' → '.join(self._building + [name])}")
            self._building.append(name)
            saved, self.where = self.where, [f"conditions › {name}"]
            check_id, self.check_id = self.check_id, None
            try:
                self.conditions[name] = self.node(self.raw_conditions[name])
            finally:
                self.where = saved
                self.check_id = check_id
                self._building.pop()
        return UseRef(name, self.conditions[name].check_refs())

    def node(self, spec: Any) -> Node:
        if not isinstance(spec, dict):
            raise self.error(f"expected a condition (a mapping with 'type:' or one of "
                             f"{', '.join(SHORTHANDS)}), got {type(spec).__name__}: {spec!r}")
        spec = dict(spec)
        if "type" in spec:
            type_id = spec.pop("type")
        else:
            keys = [k for k in SHORTHANDS if k in spec]
            if len(keys) != 1:
                raise self.error(f"a condition needs 'type:' (one of {', '.join(sorted(CHECK_TYPES))}) "
                                 f"or exactly one of {', '.join(SHORTHANDS)}; got keys {sorted(spec)}")
            type_id = keys[0]
            value = spec.pop(type_id)
            spec[SHORTHANDS[type_id]] = value
        if type_id not in CHECK_TYPES:
            raise self.error(f"unknown check type '{type_id}'; allowed: {', '.join(sorted(CHECK_TYPES))}")
        ctype = CHECK_TYPES[type_id]
        self.where.append(type_id)
        try:
            options = self._validate(type_id, ctype.options, spec)
            return ctype.build(options, self)
        finally:
            self.where.pop()

    def _validate(self, type_id: str, schema: dict[str, Option], spec: dict) -> dict:
        label = spec.pop("name", None)
        if label is not None and not isinstance(label, str):
            raise self.error("option 'name' must be text")
        for key in spec:
            if key not in schema:
                raise self.error(f"unknown option '{key}' for type '{type_id}'; allowed: "
                                 f"{', '.join(sorted(schema))}, name")
        out: dict[str, Any] = {}
        for key, opt in schema.items():
            if key not in spec:
                if opt.required:
                    raise self.error(f"type '{type_id}' needs option '{key}' ({opt.describe()})")
                continue
            out[key] = self._option(type_id, key, opt, spec[key])
        if label:
            out["name"] = label
        return out

    def _option(self, type_id: str, key: str, opt: Option, value: Any) -> Any:
        def bad(what: str) -> InputError:
            return self.error(f"option '{key}' of type '{type_id}' must be {opt.describe()}; {what}")

        ok_types = tuple(t for t in opt.types)
        if isinstance(value, bool) and bool not in ok_types:
            raise bad(f"got {value!r}")
        if isinstance(value, int) and not isinstance(value, bool) and float in ok_types:
            value = value if int in ok_types else float(value)
        if not isinstance(value, ok_types):
            raise bad(f"got {type(value).__name__} {value!r}")
        if opt.node:
            return value
        if isinstance(value, list):
            if opt.items and not all(isinstance(v, opt.items) and not isinstance(v, bool) for v in value):
                raise bad(f"got {value!r}")
            if opt.choices and any(v not in opt.choices for v in value):
                raise bad(f"got {value!r}")
            if not value and (opt.required or not opt.empty):
                raise bad("got an empty list")
        elif opt.choices and value not in opt.choices:
            raise bad(f"got {value!r}")
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
            raise bad(f"got a negative number {value!r}")
        return value


def _titles(builder: _Builder, value: Any, what: str) -> tuple[str, str]:
    if isinstance(value, str):
        return value, value
    if isinstance(value, dict) and isinstance(value.get("zh"), str) and isinstance(value.get("en"), str):
        return value["zh"], value["en"]
    raise builder.error(f"{what} must be a mapping with 'zh' and 'en' text, got {value!r}")


def _topological(builder: _Builder, deps: dict[str, set[str]], order: list[str]) -> tuple[str, ...]:
    done: list[str] = []
    state: dict[str, int] = {}

    def visit(cid: str, chain: list[str]) -> None:
        if state.get(cid) == 2:
            return
        if state.get(cid) == 1:
            cycle = chain[chain.index(cid):] + [cid]
            builder.where = ["checks"]
            raise builder.error(f"checks depend on each other in a cycle: {' → '.join(cycle)}; "
                                "an order or reference cannot go both ways")
        state[cid] = 1
        for d in sorted(deps[cid]):
            visit(d, chain + [cid])
        state[cid] = 2
        done.append(cid)

    for cid in order:
        visit(cid, [])
    return tuple(done)


def _flags(builder: _Builder, raw: Any, check_ids: set[str]) -> FlagRules:
    builder.where = ["flags"]
    if raw is None:
        return FlagRules()
    if not isinstance(raw, dict):
        raise builder.error("must be a mapping (score_below, critical_fail, triggers, metrics)")
    allowed = {"score_below", "critical_fail", "triggers", "metrics", "unknown_speakers"}
    for k in raw:
        if k not in allowed:
            raise builder.error(f"unknown key '{k}'; allowed: {', '.join(sorted(allowed))}")
    triggers = tuple(raw.get("triggers") or ())
    for t in triggers:
        if t not in check_ids:
            raise builder.error(f"trigger '{t}' is not a check id of this rubric")
    metrics = []
    from qa_pipeline.rubric.checks.metric import METRICS

    for m in raw.get("metrics") or ():
        if not isinstance(m, dict) or m.get("metric") not in METRICS:
            raise builder.error(f"metric flag {m!r} needs 'metric:' one of {', '.join(METRICS)}")
        if m.get("above") is None and m.get("below") is None:
            raise builder.error(f"metric flag {m['metric']} needs 'above:' or 'below:'")
        metrics.append(MetricFlag(m["metric"], m.get("above"), m.get("below"),
                                  str(m.get("reason") or f"{m['metric']} out of range")))
    score_below = raw.get("score_below", 80.0)
    if score_below is not None and (isinstance(score_below, bool) or not isinstance(score_below, (int, float))):
        raise builder.error(f"score_below must be a number, got {score_below!r}")
    return FlagRules(score_below=score_below, critical_fail=bool(raw.get("critical_fail", True)),
                     triggers=triggers, metrics=tuple(metrics),
                     unknown_speakers=bool(raw.get("unknown_speakers", True)))


def _tests(builder: _Builder, raw: Any, check_ids: set[str], language: str) -> tuple[RubricTest, ...]:
    tests = []
    for i, t in enumerate(raw or ()):
        builder.where = [f"tests[{i + 1}]"]
        if not isinstance(t, dict) or not isinstance(t.get("turns"), list) or not isinstance(t.get("expect"), dict):
            raise builder.error("a test needs 'turns:' (a list) and 'expect:' (check id: pass/fail/na)")
        name = str(t.get("name") or f"test {i + 1}")
        builder.where = [f"test '{name}'"]
        for cid, outcome in t["expect"].items():
            if cid not in check_ids:
                raise builder.error(f"expects unknown check '{cid}'")
            if outcome not in OUTCOMES:
                raise builder.error(f"expect {cid}: must be one of pass, fail, na; got {outcome!r}")
        turns = []
        for turn in t["turns"]:
            if isinstance(turn, dict) and len(turn) == 1 and next(iter(turn)) in SPEAKERS:
                (spk, text), = turn.items()
                turn = {"speaker": spk, "text": text}
            if not isinstance(turn, dict) or not isinstance(turn.get("text"), str) or "speaker" not in turn:
                raise builder.error("a turn is '- agent: text' or a mapping with speaker, text, start, end; "
                                    f"got {turn!r}")
            turns.append(turn)
        tests.append(RubricTest(name, tuple(turns), dict(t["expect"]), str(t.get("language") or language),
                                dict(t.get("metadata") or {})))
    return tuple(tests)


def parse_rubric(data: Any, path: str = "<rubric>") -> Rubric:
    """Validate already-parsed YAML ``data`` (see :func:`load_rubric`)."""
    b = _Builder(path, {}, {})
    if not isinstance(data, dict):
        raise b.error("a rubric file is a mapping with id, version, languages, checks")
    b.where = ["rubric"]
    for k in data:
        if k not in TOP_KEYS:
            raise b.error(f"unknown key '{k}'; allowed: {', '.join(sorted(TOP_KEYS))}")
    for k in ("id", "version", "checks"):
        if k not in data:
            raise b.error(f"missing '{k}'")
    languages = data.get("languages") or []
    if isinstance(languages, str):
        languages = [languages]
    if not languages or not all(isinstance(x, str) for x in languages):
        raise b.error("'languages' must list language codes, e.g. [zh] or [en]")
    synonyms = data.get("synonyms") or {}
    if not isinstance(synonyms, dict) or not all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in synonyms.values()):
        raise b.error("'synonyms' must map names to lists of phrases")
    conditions = data.get("conditions") or {}
    if not isinstance(conditions, dict):
        raise b.error("'conditions' must map names to conditions")
    b.synonyms, b.raw_conditions = synonyms, conditions
    sections = []
    for s in data.get("sections") or ():
        if not isinstance(s, dict) or "id" not in s:
            raise b.error(f"a section needs an id and a title, got {s!r}")
        zh, en = _titles(b, s.get("title", s["id"]), f"section {s['id']} title")
        sections.append(Section(str(s["id"]), zh, en))
    section_ids = {s.id for s in sections}
    raw_checks = data["checks"]
    if not isinstance(raw_checks, list) or not raw_checks:
        raise b.error("'checks' must be a non-empty list")
    checks, seen = [], set()
    for i, c in enumerate(raw_checks):
        b.where = [f"checks[{i + 1}]"]
        if not isinstance(c, dict) or not isinstance(c.get("id"), (str, int)):
            raise b.error("a check needs an 'id'")
        cid = str(c["id"])
        b.where = [f"check {cid}"]
        if cid in seen:
            raise b.error(f"duplicate check id '{cid}'; every check id must be unique")
        seen.add(cid)
        for k in c:
            if k not in CHECK_KEYS:
                raise b.error(f"unknown key '{k}'; allowed: {', '.join(sorted(CHECK_KEYS))}")
        if "rule" not in c:
            raise b.error("missing 'rule' (the condition that makes this check pass)")
        zh, en = _titles(b, c.get("title", cid), "title")
        weight = c.get("weight", 0)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
            raise b.error(f"'weight' must be a number >= 0, got {weight!r}")
        critical = c.get("critical", False)
        if not isinstance(critical, bool):
            raise b.error(f"'critical' must be true or false, got {critical!r}")
        kind = c.get("kind", "item")
        if kind not in ("item", "trigger"):
            raise b.error(f"'kind' must be item or trigger, got {kind!r}")
        section = c.get("section")
        if section is not None and section_ids and str(section) not in section_ids:
            raise b.error(f"section '{section}' is not one of {', '.join(sorted(section_ids))}")
        b.where = [f"check {cid}", "rule"]
        b.check_id = cid
        rule = b.node(c["rule"])
        applies = None
        if c.get("applies_when") is not None:
            b.where = [f"check {cid}", "applies_when"]
            applies = b.node(c["applies_when"])
        checks.append(Check(cid, zh, en, str(section) if section is not None else None, float(weight), critical,
                            kind, rule, applies, str(c.get("description") or "")))
        b.check_id = None
    ids = {c.id for c in checks}
    deps: dict[str, set[str]] = {}
    for c in checks:
        refs = c.rule.check_refs() | (c.applies_when.check_refs() if c.applies_when else set())
        for r in refs:
            if r not in ids:
                b.where = [f"check {c.id}"]
                raise b.error(f"refers to check '{r}', which this rubric does not define")
        deps[c.id] = refs
    order = _topological(b, deps, [c.id for c in checks])
    by_id = {c.id: c for c in checks}
    for check_id, where, link in b._when_built:
        b.where = where
        link(check_id, by_id, order)
    for name in conditions:  # build unused conditions too, so their errors show now
        b.where = [f"conditions › {name}"]
        b.use(name)
    flags = _flags(b, data.get("flags"), ids)
    tests = _tests(b, data.get("tests"), ids, languages[0])
    return Rubric(id=str(data["id"]), version=str(data["version"]), languages=tuple(languages),
                  title=str(data.get("title") or data["id"]), sections=tuple(sections), checks=tuple(checks),
                  evaluation_order=order, flags=flags, tests=tests, path=path, conditions=b.conditions)


# libyaml's parser when PyYAML was built with it (the wheels are): ~7× faster on the
# standard rubrics than the pure-Python one, same safe subset.
_YAML_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BOOL = "tag:yaml.org,2002:bool"


class _RubricYaml(_YAML_BASE):
    """YAML 1.2 booleans: only true and false. YAML 1.1 also reads on/off/yes/no as booleans,
    which turned the documented regex option ``on: raw`` into an unknown option 'True'."""


_RubricYaml.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL]
    for first, resolvers in _YAML_BASE.yaml_implicit_resolvers.items()}
_RubricYaml.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def read_rubric_yaml(text: str) -> Any:
    """Parse rubric YAML (raises ``yaml.YAMLError``); ``on``, ``off``, ``yes`` and ``no`` stay words."""
    return yaml.load(text, Loader=_RubricYaml)


def load_rubric(path: str | Path) -> Rubric:
    """Load and validate a rubric file; raises :class:`InputError` naming what is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, "no such rubric file; check the path (standard rubrics live in rubrics/)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot read the rubric: {exc}") from None
    try:
        data = read_rubric_yaml(text)
    except yaml.YAMLError as exc:
        raise InputError(path, f"not valid YAML: {exc}") from None
    return parse_rubric(data, str(path))
