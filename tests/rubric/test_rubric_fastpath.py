"""The fast scoring paths give the same findings as the plain ones.

* Phrases with many leading alternatives before a long rest are searched as regexes of
  their own (``phrase_syntax.GROUP_ABOVE``); the reference is every phrase in one combined regex.
* ``qa score`` scores in worker processes that hand the store column rows; the reference is
  :func:`score_call` in this process, findings compared with what was stored.
"""
from __future__ import annotations

import json
import re

import pytest
from shared_data import EXAMPLES, shared_file

from qa_pipeline.rescoring import rescore
from qa_pipeline.rubric import load_rubric, phrase_syntax, rubrics_dir, score_call, standard_rubric
from qa_pipeline.rubric.loader import read_rubric_yaml
from qa_pipeline.rubric.matching import compile_phrases, padded_english
from qa_pipeline.rubric.text import norm_row, normalize
from qa_pipeline.store import database as store
from qa_pipeline.transcript_io import call_from_json


def _examples():
    shared_file("qa-examples")
    calls = [call_from_json(json.loads(p.read_text(encoding="utf-8")), p) for p in sorted(EXAMPLES.glob("*.json"))]
    assert len(calls) >= 24
    return calls


def _outcomes(result):
    return [(f.check_id, f.outcome, f.rule, f.evidence) for f in result.findings], result.score, result.flag_reasons


@pytest.mark.parametrize("language", ["zh", "en"])
def test_grouped_phrases_find_what_one_combined_regex_finds(language, monkeypatch):
    path = rubrics_dir() / f"standard-{language}.yaml"
    monkeypatch.setattr(phrase_syntax, "GROUP_ABOVE", 10**12)  # reference: nothing grouped
    reference = load_rubric(path)
    monkeypatch.setattr(phrase_syntax, "GROUP_ABOVE", 0)  # every phrase that can be grouped is
    grouped = load_rubric(path)
    calls = [c for c in _examples() if c.language.startswith(language)]
    assert calls
    for call in calls:
        assert _outcomes(score_call(call, grouped, sentiment=0.0)) == \
            _outcomes(score_call(call, reference, sentiment=0.0)), call.call_id


def test_grouped_matcher_hits_match_the_combined_matcher(monkeypatch):
    synonyms = {"ask": ["could you confirm", "can you give me", "please tell me", "may i have"],
                "ident": ["name", "full name", "date of birth", "postcode", "phone number"]}
    phrases = ["{ask}...{ident}", "{ident} please", "^{ident}$", "thank you", "re:\\d{4}"]
    monkeypatch.setattr(phrase_syntax, "GROUP_ABOVE", 10**12)
    plain = compile_phrases(phrases, synonyms)
    monkeypatch.setattr(phrase_syntax, "GROUP_ABOVE", 0)
    grouped = compile_phrases(phrases, synonyms)
    assert grouped._grouped_count and not plain._grouped_count  # the test exercises both paths
    texts = ["Could you confirm your full name, please? Thank you.", "postcode", "May I have the  postcode 1234",
             "thank you\nname please\ncan you give me a phone number", "nothing here", ""]
    for text in map(normalize, texts):
        assert grouped.first(text) == plain.first(text), text
        assert list(grouped.finditer(text)) == list(plain.finditer(text)), text
        assert grouped.found_in(text) == plain.found_in(text), text
        assert grouped.regex.pattern == plain.regex.pattern


@pytest.mark.parametrize("jobs", [1, 2])
def test_rescore_stores_the_findings_of_score_call(jobs):
    calls = _examples()
    con = store.connect(":memory:")
    store.save_calls(con, [(c, []) for c in calls])
    summary = rescore(con, jobs=jobs, batch=5)  # several batches: workers when jobs > 1
    assert summary.calls == len(calls)
    stored = {}
    for row in con.execute(
            "SELECT call_id, check_id, outcome, rule, evidence_text, evidence_speaker, evidence_start, evidence_end "
            "FROM check_results").fetchall():
        stored[(row[0], row[1])] = row[2:]
    results = {r[0]: r[1:] for r in con.execute(
        "SELECT call_id, score, flagged, flag_reasons FROM call_results").fetchall()}
    for call in calls:
        loaded = next(store.load_calls(con, [call.call_id], words=False))
        r = score_call(loaded, standard_rubric(call.language))
        assert results[call.call_id] == (r.score, r.flagged, list(r.flag_reasons)), call.call_id
        for f in r.findings:
            e = f.evidence
            want = (f.outcome, f.rule, e and e.text, e and e.speaker, e and e.start, e and e.end)
            assert stored[(call.call_id, f.check_id)] == want, (call.call_id, f.check_id)
    assert len(stored) == sum(len(standard_rubric(c.language).checks) for c in calls)


def test_rescore_scores_its_first_calls_before_the_workers_fork(tmp_path, monkeypatch):
    """With workers, `qa score` scores its first task itself before forking (what scoring
    compiles on first use is then compiled once, and inherited); the workers score the rest,
    every call once."""
    import os

    from qa_pipeline import rescoring

    calls = _examples()
    con = store.connect(":memory:")
    store.save_calls(con, [(c, []) for c in calls])
    log = tmp_path / "batches.txt"
    score_batch = rescoring._score_batch

    def recorded(rows, lo, hi, *args):
        with open(log, "a") as out:  # each worker process appends its own lines
            out.write(f"{os.getpid()} {lo} {hi}\n")
        return score_batch(rows, lo, hi, *args)

    monkeypatch.setattr(rescoring, "_score_batch", recorded)
    assert rescore(con, jobs=2, batch=5).calls == len(calls)
    batches = [tuple(map(int, line.split())) for line in log.read_text().splitlines()]
    assert batches[0] == (os.getpid(), 0, 5)  # the parent, first
    assert all(pid != os.getpid() for pid, _, _ in batches[1:])
    assert sorted(i for _, lo, hi in batches for i in range(lo, hi)) == list(range(len(calls)))


def test_rescore_normalises_again_what_is_missing_or_stale_and_stores_it():
    """Stored normalised turns are only used when the current normaliser made them; others
    (an older database, a changed normaliser) are made again, scored the same, and stored."""
    from qa_pipeline.rubric.text import NORMALIZER_VERSION, normalize_many

    calls = _examples()[:6]
    con = store.connect(":memory:")
    store.save_calls(con, [(c, []) for c in calls], norms=[norm_row(c) for c in calls])  # as the scorer hands them
    stored = dict(con.execute("SELECT call_id, texts FROM turn_norm_store").fetchall())
    assert stored == {c.call_id: normalize_many([t.text for t in c.turns]) for c in calls}
    rescore(con)
    fresh = con.execute("SELECT call_id, check_id, outcome, rule, evidence_text FROM check_results "
                        "ORDER BY ALL").fetchall()
    # One call's normalised turns left by another normaliser version (wrong on purpose),
    # another's missing, a third's of the wrong length: all three must be made again.
    a, b, c = (x.call_id for x in calls[:3])
    con.execute("UPDATE turn_norm_store SET normalizer = normalizer - 1, texts = ['x'] WHERE call_id = ?", [a])
    con.execute("DELETE FROM turn_norm_store WHERE call_id = ?", [b])
    con.execute("UPDATE turn_norm_store SET texts = ['x'] WHERE call_id = ?", [c])
    rows = store.fetch_call_rows(con, None, words=False, normalizer=NORMALIZER_VERSION)
    assert [rows.norms(i) is None for i in range(3)] == [True, True, True]
    rescore(con)
    assert con.execute("SELECT call_id, check_id, outcome, rule, evidence_text FROM check_results "
                       "ORDER BY ALL").fetchall() == fresh
    again = {r[0]: (r[1], r[2])
             for r in con.execute("SELECT call_id, normalizer, texts FROM turn_norm_store").fetchall()}
    assert again[b] == (NORMALIZER_VERSION, normalize_many([t.text for t in calls[1].turns]))
    assert again[a] == (NORMALIZER_VERSION, normalize_many([t.text for t in calls[0].turns]))
    assert again[c] == (NORMALIZER_VERSION, normalize_many([t.text for t in calls[2].turns]))
    assert con.execute("SELECT count(*) FROM turn_norm_store").fetchone()[0] == len(calls)


def test_normaliser_output_is_what_its_version_says():
    """The normalised turns stored with calls are trusted while NORMALIZER_VERSION is the
    same. If this fails, normalize() now gives other output: raise NORMALIZER_VERSION in
    qa_pipeline/rubric/text.py and put the new fingerprint here."""
    import hashlib

    from rubric_probes import PROBES

    from qa_pipeline.rubric.text import NORMALIZER_VERSION

    texts = [t.text for c in _examples() for t in c.turns] + [text for p in PROBES for _, text in p[1]]
    texts += ["I'll call you within twenty-four hours!", "宁好，我是公号一零三一", "ｆｕｌｌ　ｗｉｄｔｈ １２３",
              "e-mail: a.b@c.com", "don't won't it's the customer's", "二十四小时之内一定给您回复", "three five", "",
              "卡号是六二二二 零二零二 零零一一 二二三三 四四五，逐一核对",
              "so youre locked out im gonna reset it", "ok ill ring you back, my mum is ill",
              "Mōrena, Whakatāne café, señor"]
    digest = hashlib.sha256("\x00".join(normalize(t) for t in texts).encode("utf-8")).hexdigest()[:16]
    fingerprints = {1: "a5ba0dcfe83dc634", 2: "07c0910de0f79cb3", 3: "96667c35a87dac7e",
                    4: "e2f39be87b7b950f", 5: "ded3aa06bda7b694"}  # 1-4: before the last texts were added
    assert fingerprints.get(NORMALIZER_VERSION) == digest, (
        f"normalize() output changed (fingerprint {digest}): raise NORMALIZER_VERSION and record it here")


def test_card_number_pattern_finds_what_the_plain_pattern_finds():
    """sensitive_numbers.DIGIT_RUN starts with \\d so the regex engine can skip to digits; it must
    find exactly what the plainly written pattern finds."""
    import random
    import re

    from qa_pipeline.rubric.sensitive_numbers import DIGIT_RUN

    plain = re.compile(r"(?<![0-9a-z])(?:\d[ -]?){12,18}[\dx](?![0-9a-z])")
    rng = random.Random(5)
    alphabet = "0123456789" * 6 + "  --xa\n您"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 60))) for _ in range(20000)]
    texts += ["6222 0212 3456 7890 123", "1101051990030777x", "a6222021234567890123", "4111-1111-1111-1111 ok"]
    found = 0
    for text in texts:
        want = [(m.start(), m.end()) for m in plain.finditer(text)]
        assert [(m.start(), m.end()) for m in DIGIT_RUN.finditer(text)] == want, text
        found += bool(want)
    assert found > 1000


def test_sentences_are_cut_where_the_plainly_written_pattern_cuts():
    """learned._SENTENCE_END starts its match at the sentence's mark (so the regex engine skips
    to the marks) and hands the mark back to the sentence before it; the sentences must be
    those the plainly written pattern (a match after the mark, by look-behind) cuts."""
    import random
    import re

    from qa_pipeline.rubric.learned import split_sentences

    plain = re.compile(r"(?<=[。！？!?；;])\s*|(?<=[.])(?<!\bMr\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bSt\.)(?<!\bMrs\.)"
                       r"(?<!\bNo\.)\s+(?=[A-Z\"'])")

    def cut(text, min_chars):
        parts = [p.strip() for p in plain.split(text) if p and p.strip()]
        return [p for p in parts if len(p) >= min_chars] or ([text.strip()] if text.strip() else [])

    rng = random.Random(11)
    pieces = ["Mr.", "Mrs.", "Dr.", "No.", "St.", "Ms.", "xMr.", "a.", "..", "A", "'b", '"c', "。", "？", "!?", ";",
              "；", "好", "ok", " ", "  ", "\n", "\u3000", ".", "?"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 14))) for _ in range(20000)]
    texts += [t.text for c in _examples() for t in c.turns]
    cuts = 0
    for text in texts:
        for min_chars in (0, 2, 5):
            want = cut(text, min_chars)
            assert split_sentences(text, min_chars=min_chars) == want, (text, min_chars)
        cuts += len(want) > 1
    assert cuts > 3000  # many texts are cut somewhere


def test_chinese_reply_times_all_hold_a_hint_word():
    """detectors.reply_time skips the Chinese pattern for turns without ZH_REPLY_HINT: every
    reply time the pattern finds must hold one."""
    from qa_pipeline.rubric.detectors import ZH_REPLY, ZH_REPLY_HINT

    days = ["今天", "今日", "今晚", "明天", "明早", "明晚", "后天", "大后天", "本周", "这周3", "下周1",
            "下个星期5", "下星期", "周日", "星期2", "礼拜天", "月底", "月初", "下个月", "下月5号", "3月5日", "12号"]
    units = ["小时", "钟头", "工作日", "个工作日", "自然日", "天", "日", "周", "星期", "礼拜", "分钟", "月"]
    texts = [f"{n}{u}{end}" for n in ("3", "24", "半", "两") for u in units for end in ("内", "之内", "以后给您回电")]
    texts += [f"{verb}{d}{tod}{end}" for verb in ("", "会", "最晚") for d in days
              for tod in ("", "下午", "下午5点", "上午10点半") for end in ("前", "给您回复", "")]
    texts += ["5点半之前", "10:30前", "我们会在12月3日下午回复"]
    found = 0
    for text in texts:
        m = ZH_REPLY.search(text)
        if m:
            found += 1
            assert ZH_REPLY_HINT.search(m.group()), text
    assert found > 300


def test_record_maker_makes_what_the_constructor_makes():
    import pickle
    from dataclasses import FrozenInstanceError, dataclass, fields

    from qa_pipeline.records import Evidence, Finding, Turn, maker

    samples = {Finding: ("A1", "pass", Evidence("您好", "agent", 0.5, 1.0), "greeting", True, 10.0, 0.9, False),
               Turn: ("agent", None, 2.5, "hello", ()), Evidence: ("hi", None, None, None)}
    for cls, values in samples.items():
        made, built = maker(cls)(*values), cls(*values)
        assert made == built and repr(made) == repr(built) and hash(made) == hash(built)
        assert pickle.loads(pickle.dumps(made)) == built
        assert len(values) == len(fields(cls))  # every field given: the maker fills no defaults
        with pytest.raises(FrozenInstanceError):
            made.text = "changed"  # still frozen

    @dataclass(frozen=True)
    class Checked:
        x: int

        def __post_init__(self):
            assert self.x > 0

    with pytest.raises(TypeError):
        maker(Checked)


def test_rescore_from_stored_sentence_and_clause_vectors_finds_what_scoring_with_the_encoder_finds():
    """``qa score`` from the vectors stored at ingest (sentences and the clauses the learned
    checks judge apart, read once and shared by the workers) gives the findings the per-call
    path gave, the encoder embedding every sentence and clause as the call was scored."""
    from qa_pipeline.pipeline import score_embedded
    from qa_pipeline.rubric import encoder as encoders

    encoders.reset()
    if encoders.sentence_encoder() is None:
        pytest.skip(encoders.encoder_status())
    calls = _examples()
    con = store.connect(":memory:")
    reference = {}
    for call in calls:
        results, rows = score_embedded(call)  # as `qa run` scores and stores a call
        store.save_call(con, call, results, norms=norm_row(call), embeddings=rows)
        reference[call.call_id] = results[0]
    assert con.execute("SELECT count(*) FROM turn_embedding_store WHERE clause > 0").fetchone()[0] > 0
    before = con.execute("SELECT call_id, check_id, outcome, rule, evidence_text, evidence_start, evidence_end "
                         "FROM check_results ORDER BY ALL").fetchall()
    encoders.reset()  # as a new process: nothing in the encoder's cache
    try:
        summary = rescore(con, jobs=2, batch=5)
        assert summary.calls == len(calls) and summary.embedded == 0
        assert encoders.sentence_encoder().encoded == 0
    finally:
        encoders.reset()
    after = con.execute("SELECT call_id, check_id, outcome, rule, evidence_text, evidence_start, evidence_end "
                        "FROM check_results ORDER BY ALL").fetchall()
    assert after == before and len(after) == sum(len(r.findings) for r in reference.values())
    stored = {r[0]: r[1:] for r in con.execute("SELECT call_id, score, flagged, flag_reasons FROM call_results").fetchall()}
    assert stored == {cid: (r.score, r.flagged, list(r.flag_reasons)) for cid, r in reference.items()}


# --- work asked for only where it can change a finding ------------------------------------

def _full_mask(probs, left, floor=None):
    import numpy as np

    return np.where([left(i) for i in range(len(probs))], 0.0, probs)


@pytest.mark.parametrize("floor", [0.3, 0.45, float("inf")])
def test_left_to_rules_reads_as_the_full_mask(floor):
    """What the learned check reads of the probabilities after ``unless`` (the best sentence,
    its value, and every sentence at or above the clause gate / the band's low end) is the
    same whether every sentence is asked or only the likely ones."""
    import random

    import numpy as np

    from qa_pipeline.rubric.checks.learned import left_to_rules

    rng = random.Random(11)
    asked_less = 0
    for _ in range(3000):
        n = rng.randrange(1, 9)
        probs = np.array([rng.choice([0.0, 0.3, 0.45, 0.5, 0.9, rng.random()]) for _ in range(n)])
        left_set = {i for i in range(n) if rng.random() < 0.4}
        asked = []

        def left(i, asked=asked, left_set=left_set):
            asked.append(i)
            return i in left_set

        fast = left_to_rules(probs, left, floor)
        full = _full_mask(probs, lambda i, left_set=left_set: i in left_set)
        assert int(np.argmax(fast)) == int(np.argmax(full)), (probs, left_set)
        assert fast[np.argmax(fast)] == full[np.argmax(full)]
        at_floor = probs >= floor
        assert (fast[at_floor] == full[at_floor]).all(), (probs, left_set, floor)
        assert (fast <= fast.max()).all() and (probs == np.array(probs)).all()  # the input is not changed
        assert set(asked) <= set(range(n))
        asked_less += len(set(asked)) < n
    assert asked_less > 500  # the short cut is taken, not just the full mask


@pytest.mark.parametrize("language", ["en", "zh"])
def test_detector_memo_and_lazy_unless_score_the_dev_calls_as_before(language, monkeypatch):
    """The dev calls and the shared examples, scored with every per-turn memo turned off and
    ``unless`` asked of every sentence (the path before these short cuts) and as now: the same
    findings, evidence, confidence, score and flags, with the learned judgements on when the
    sentence encoder is installed."""
    from pathlib import Path

    from qa_pipeline.rubric.checks import learned as learned_check
    from qa_pipeline.rubric.view import TurnView

    dev = Path(__file__).resolve().parents[1] / "data" / f"dev_{language}"
    calls = [call_from_json(json.loads(p.read_text(encoding="utf-8")), p) for p in sorted(dev.glob("*.json"))]
    calls += [c for c in _examples() if c.language.startswith(language)]
    assert len(calls) >= 20
    rubric = standard_rubric(language)

    def everything(r):
        return r.findings, r.score, r.flag_reasons, r.complaint

    now = [everything(score_call(c, rubric, sentiment=0.0)) for c in calls]
    with monkeypatch.context() as m:
        m.setattr(TurnView, "memo", lambda self, key, make: make())
        m.setattr(learned_check, "left_to_rules", _full_mask)
        before = [everything(score_call(c, rubric, sentiment=0.0)) for c in calls]
    for call, a, b in zip(calls, now, before):
        assert a == b, call.call_id


@pytest.mark.parametrize("language", ["en", "zh"])
def test_prepare_reaches_every_learned_check_however_nested(language, monkeypatch):
    """`qa score` makes the learned checks' models before its workers fork
    (:func:`qa_pipeline.rubric.engine.prepare`): every learned check of the rubric, inside
    any/all/not, a named condition or a gate, is asked once."""
    from qa_pipeline.rubric.checks.learned import LearnedNode
    from qa_pipeline.rubric.engine import prepare

    asked = []
    monkeypatch.setattr(LearnedNode, "prepare", lambda self: asked.append(self.item))
    rubric = standard_rubric(language)
    prepare(rubric)
    written = (rubrics_dir() / f"standard-{language}.yaml").read_text(encoding="utf-8").count("type: learned")
    assert written >= 5 and len(asked) == written, asked


def test_spoken_digits_short_cut_writes_what_reading_every_number_writes(monkeypatch):
    """write_spoken_digits returns a text in which no digit word can start as it is (neither
    the lead-word test nor the regex finds one); the reference reads every number of every text
    (both short cuts' tests always passing)."""
    import re
    from pathlib import Path

    from qa_pipeline.privacy import sensitive

    data = Path(__file__).resolve().parents[1] / "data"
    calls = [call_from_json(json.loads(p.read_text(encoding="utf-8")), p)
             for lang in ("en", "zh") for p in sorted((data / f"dev_{lang}").glob("*.json"))] + _examples()
    texts = [t.text for c in calls for t in c.turns if t.text]
    texts += [normalize(t) for t in texts]
    texts += ["是five five five, oh one four two, double 7", "Oh, I see", "card 4111 1111 1111 1111", "Kelvin 7",
              "five five five, twelve hundred; forty-one twelve", "room 12b, o 4", "", "二零二四年",
              # the lead-word test: a lead word not followed as a unit needs, case, letters beyond ASCII
              "double.", "a double-o seven", "TWENTY-ONE", "Seventeenth", "ſix ſix", "eight一二三", "lone o 5"]
    now = [sensitive.write_spoken_digits(t) for t in texts]
    skipped = sum(not sensitive._may_say_a_digit(t) for t in texts)
    monkeypatch.setattr(sensitive, "_may_say_a_digit", lambda text: True)
    monkeypatch.setattr(sensitive, "_SPOKEN_UNIT_RE", re.compile(""))  # matches every text: the full read
    assert [sensitive.write_spoken_digits(t) for t in texts] == now
    assert sum(a != b for a, b in zip(now, texts)) >= 3  # digit words were written
    assert skipped > len(texts) / 4  # the lead-word test skips texts, not just the regex


def _phrase_lists(node):
    """Every ``phrases:`` and ``unless:`` list in a rubric file's parsed YAML."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("phrases", "unless") and isinstance(value, list) and all(isinstance(p, str) for p in value):
                yield value
            else:
                yield from _phrase_lists(value)
    elif isinstance(node, list):
        for value in node:
            yield from _phrase_lists(value)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_gated_searches_find_what_searching_every_regex_finds(language):
    """A regex searched on its own is tried only where the text holds its literal start (or,
    without one, a text of each choice its matches need), and in clean English one that starts
    at a word only where words start: the earliest hit is still that of every phrase in one
    regex, searched everywhere."""
    spec = read_rubric_yaml((rubrics_dir() / f"standard-{language}.yaml").read_text(encoding="utf-8"))
    synonyms = spec.get("synonyms", {})
    texts = [normalize(t.text) for c in _examples() if c.language.startswith(language) for t in c.turns]
    texts += [normalize(t) for t in ("麻烦您报一下读者证号", "您的借书证号是多少", "年卡卡号", "请问您的姓名是什么",
                                     "can I have your date of birth please", "and the postcode", "not my problem")]
    texts.append("\n".join(texts))
    texts += [normalize(t) for t in ("we have already gone over this twice", "you people are cheats",
                                     "so you just need to check it yourself", "is 07700 900 562 still your number")]
    texts.append("\n".join(texts))
    alone = at_words = 0
    for phrases in _phrase_lists(spec):
        m = compile_phrases(phrases, synonyms)
        alone += len(m._alone)
        at_words += len(m._words[1]._at_words) if m._words is not None else 0
        for text in texts:
            hit, every = m.first(text), m.regex.search(text)
            assert (hit and hit.start) == (every and every.start()), (phrases[:3], text)
            assert m.found_in(text) == (every is not None), (phrases[:3], text)
            # clean English as scoring searches it: word-led regexes only where words start
            hit = m.first(text, 0, padded_english(text))
            assert (hit and hit.start) == (every and every.start()), (phrases[:3], text)
    assert alone > 10  # the test exercises the gated searches
    assert at_words > 10 or language == "zh"  # ... and the word-led ones


@pytest.mark.parametrize("language", ["zh", "en"])
def test_regexes_led_by_their_first_texts_find_what_they_find_as_written(language):
    """Every regex a standard rubric's phrase list searches on its own, compiled with the
    lookahead for the texts its matches start with (:func:`lead_first`), finds the same matches
    (starts, ends, groups) as written, in the labelled calls' texts and in probes of its own."""
    from qa_pipeline.rubric.phrase_syntax import lead_first

    spec = read_rubric_yaml((rubrics_dir() / f"standard-{language}.yaml").read_text(encoding="utf-8"))
    texts = [normalize(t.text) for c in _examples() if c.language.startswith(language) for t in c.turns]
    texts += [normalize(t) for t in ("请问您的姓名是什么\n姓名是张三", "it is always the same with you customers",
                                     "we have already gone over this twice", "they already told you")]
    text = "\n".join(texts)
    led = 0
    for phrases in _phrase_lists(spec):
        m = compile_phrases(phrases, spec.get("synonyms", {}))
        for alone in [m._alone] + ([m._words[1]] if m._words is not None else []):
            for source in alone.sources:
                fast = lead_first(source)
                if fast == source:
                    continue
                led += 1
                regex, fast_regex = re.compile(source), re.compile(fast)
                assert [(x.span(), x.groups()) for x in regex.finditer(text)] == \
                    [(x.span(), x.groups()) for x in fast_regex.finditer(text)], source[:80]
    assert led > 5  # the test reaches led regexes of both rubrics


def test_regexes_indexed_by_their_start_are_those_whose_start_the_text_holds():
    """With many literal starts, the regexes searched on their own are found by the pairs of
    characters their starts begin with: exactly those whose start the text holds (and those
    without one), as testing every start would find."""
    from qa_pipeline.rubric.phrase_syntax import literal_start

    texts = [normalize(t.text) for c in _examples() for t in c.turns]
    texts += ["机", "请问机动车", "a", "", "您的\n身份证号", "\n".join(texts)]
    indexed = 0
    for language in ("zh", "en"):
        spec = read_rubric_yaml((rubrics_dir() / f"standard-{language}.yaml").read_text(encoding="utf-8"))
        for phrases in _phrase_lists(spec):
            alone = compile_phrases(phrases, spec.get("synonyms", {}))._alone
            indexed += isinstance(alone._by_start, dict)
            starts = [literal_start(s) for s in alone.sources]
            for text in texts:
                held = [i for i, s in enumerate(starts) if s and s in text]
                expected = sorted(held + list(alone._always)) if held else list(alone._always)
                assert list(alone._candidates(text)) == expected, (phrases[:3], text[:40])
    # one-character starts, and one start a prefix of another: regexes searched on their own
    # (the class a matcher keeps them in)
    starts = ["机", "机动", "动车", "a", "ab", "abc"] + [f"z{i}" for i in range(30)]
    alone = type(compile_phrases(["hello"], {})._alone)([f"{s}(?:x|y)" for s in starts], {})
    assert isinstance(alone._by_start, dict) and len(alone) == len(starts)
    for text, held in [("机", ["机"]), ("机动车", ["机", "机动", "动车"]), ("ab", ["a", "ab"]),
                       ("z3 abc", ["a", "ab", "abc", "z3"])]:
        assert [literal_start(alone.sources[i]) for i in alone._candidates(text)] == \
            [s for s in starts if s in held], text
    assert indexed >= 1  # the test exercises the indexed path on a real phrase list
