"""The demo centre: roster, scripted calls, audio rendering, activity; and roster CSV import."""
from __future__ import annotations

import random
import shutil
import statistics
from dataclasses import fields
from datetime import date, timedelta

import pytest
import soundfile as sf

from qa_pipeline.demo.cast import TEAMS
from qa_pipeline.demo.centre import build_centre, make_agents, run_large_demo
from qa_pipeline.demo.dialogues import Habits, Persona, compose, timed_turns
from qa_pipeline.errors import InputError, QaError
from qa_pipeline.records import Call, CallInfo
from qa_pipeline.store import database as store
from qa_pipeline.store.roster import parse_roster, read_roster, save_roster

TODAY = date(2026, 11, 20)
NO_HABITS = Habits(**{f.name: 0.0 for f in fields(Habits)})
ZH = Persona("A1101", "王晓丽", "王晓丽", "1101")
EN = Persona("E3101", "Priya Sharma", "Priya", "3101")


def _has_rubric() -> bool:
    try:
        from qa_pipeline.rubric import score_call, standard_rubric  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def small_centre():
    con = store.connect(":memory:")
    summary = build_centre(con, seed=3, calls=60, users=False, today=TODAY)
    yield con, summary
    con.close()


def test_roster_has_three_teams_with_leads_and_new_hires(small_centre):
    con, summary = small_centre
    rows = con.execute("SELECT team, count(*), count(DISTINCT team_lead), min(team_lead), count(DISTINCT centre), "
                       "sum(CASE WHEN hire_date > ? THEN 1 ELSE 0 END) FROM agents GROUP BY team ORDER BY team",
                       [TODAY - timedelta(weeks=12)]).fetchall()
    assert {r[0] for r in rows} == {t.name for t in TEAMS}
    assert sum(r[1] for r in rows) == summary.agents == 40
    for team, n, leads, lead, centres, new_hires in rows:
        assert 12 <= n <= 14 and leads == 1 and centres == 1, team
        assert lead == next(t.lead for t in TEAMS if t.name == team)
        assert new_hires >= 1, f"{team} has no new agents for the first-weeks view"
    assert con.execute("SELECT count(*) FROM agents WHERE hire_date IS NULL OR agent_name IS NULL").fetchone()[0] == 0


def test_calls_span_the_weeks_in_both_languages(small_centre):
    con, summary = small_centre
    assert summary.calls == 60 and not summary.audio_calls
    first, last, languages, sources = con.execute(
        "SELECT min(started_at)::DATE, max(started_at)::DATE, list(DISTINCT language), list(DISTINCT source) "
        "FROM calls").fetchone()
    assert (last - first).days >= 70 and last <= TODAY
    assert sorted(languages) == ["en", "zh"] and sources == ["import"]
    # Every call belongs to a rostered agent, who was hired before it.
    orphans = con.execute("SELECT count(*) FROM calls c LEFT JOIN agents a USING (agent_id) "
                          "WHERE a.agent_id IS NULL OR a.hire_date > c.started_at::DATE OR a.team <> c.team").fetchone()
    assert orphans[0] == 0
    hours = [r[0] for r in con.execute("SELECT hour(started_at AT TIME ZONE 'Asia/Shanghai') FROM calls").fetchall()]
    assert min(hours) >= 8 and max(hours) <= 20
    rings = con.execute("SELECT count(ring_seconds), max(ring_seconds) FROM calls").fetchone()
    assert rings[0] >= 50 and rings[1] <= 60
    assert con.execute("SELECT count(*) FROM calls WHERE metadata->>'queue' IS NULL").fetchone()[0] == 0


def test_turns_are_timed_like_speech(small_centre):
    con, _ = small_centre
    rows = con.execute("SELECT c.language, t.speaker, t.start, t.\"end\", t.text FROM turns t JOIN calls c "
                       "USING (call_id) ORDER BY call_id, turn").fetchall()
    assert {r[1] for r in rows} == {"agent", "customer"}
    zh_rates, en_rates = [], []
    for language, _, start, end, text in rows:
        assert end > start >= 0
        if end - start > 4:
            if language == "zh":
                zh_rates.append(sum(ch.isalnum() for ch in text) / (end - start))
            else:
                en_rates.append(len(text.split()) / (end - start))
    assert 3.5 < statistics.median(zh_rates) < 5.2
    assert 2.0 < statistics.median(en_rates) < 3.0


def test_phrasing_varies(small_centre):
    con, _ = small_centre
    greetings = [r[0] for r in con.execute("SELECT text FROM turns WHERE turn = 0").fetchall()]
    assert len(set(greetings)) >= 50
    companies = con.execute("SELECT count(DISTINCT metadata->>'company') FROM calls").fetchone()[0]
    assert companies >= 10


def test_demo_calls_keep_their_sentence_embeddings_so_qa_score_embeds_none(small_centre):
    from qa_pipeline.rescoring import rescore
    from qa_pipeline.rubric import encoder as encoders

    encoder = encoders.sentence_encoder()
    if encoder is None:
        pytest.skip(encoders.encoder_status())
    con, summary = small_centre
    stored = con.execute("SELECT count(DISTINCT call_id), count(*), min(encoder_id), max(encoder_id) "
                         "FROM turn_embedding_store").fetchone()
    assert stored[0] == summary.calls and stored[1] > 5 * summary.calls
    assert stored[2] == stored[3] == encoder.id
    before = encoder.encoded
    assert rescore(con, jobs=1).embedded == 0  # as after qa run: every sentence read is stored
    assert encoder.encoded == before


def test_same_seed_same_centre():
    a, b = store.connect(":memory:"), store.connect(":memory:")
    for con in (a, b):
        build_centre(con, seed=11, calls=20, users=False, today=TODAY)
    sql = "SELECT call_id, agent_id, started_at, turn, text FROM turns JOIN calls USING (call_id) ORDER BY 1, 4"
    assert a.execute(sql).fetchall() == b.execute(sql).fetchall()


def test_a_call_without_bad_habits_follows_the_whole_script():
    for language, persona in (("zh", ZH), ("en", EN)):
        for seed in range(20):
            d = compose(random.Random(seed), language, persona, NO_HABITS, complaint_rate=1.0, domain="banking")
            agent = [l.text for l in d.lines if l.speaker == "agent"]
            assert d.defects == () and d.complaint and d.account
            assert d.company in agent[0] and ("Priya" in agent[0] or "王晓丽" in agent[0] or "3101" in agent[0]
                                              or "1101" in agent[0])
            text = " ".join(agent)
            last = agent[-1].lower()
            if language == "zh":
                assert "抱歉" in text and "再见" in last and ("感谢" in last or "谢谢" in last)
            else:
                assert ("sorry" in text or "apologise" in text) and "bye" in last and "thank" in last


def test_habits_show_in_the_script():
    rng = random.Random(5)
    closing = NO_HABITS.with_(bad_closing=1.0)
    for _ in range(10):
        d = compose(rng, "en", EN, closing)
        last_agent = [l.text for l in d.lines if l.speaker == "agent"][-1]
        assert "bad_closing" in d.defects
        assert not ("thank" in last_agent.lower() and "bye" in last_agent.lower())
    d = compose(rng, "zh", ZH, NO_HABITS.with_(no_identity=1.0), domain="telecom")
    assert "no_identity" in d.defects and not any("{" in l.text for l in d.lines)
    for language, persona in (("zh", ZH), ("en", EN)):
        for _ in range(10):
            turns = timed_turns(compose(rng, language, persona, NO_HABITS.with_(interrupts=1.0)), rng)
            over = sum(1 for prev, t in zip(turns, turns[1:])
                       if t.speaker == "agent" and prev.speaker == "customer" and prev.end - t.start > 1.0)
            assert over >= 3, language


def test_new_hires_start_rough_and_coached_agents_improve():
    agents = make_agents(random.Random(2), TODAY)
    new = [a for a in agents if (TODAY - a.hire_date).days < 84]
    assert new
    a = new[0]
    assert a.habits_on(a.hire_date + timedelta(days=7)).bad_closing > a.habits_on(a.hire_date + timedelta(days=70)).bad_closing
    coached = [a for a in agents if a.coached_on]
    assert len(coached) >= 3
    c = coached[0]
    before, after = c.habits_on(c.coached_on - timedelta(days=1)), c.habits_on(c.coached_on + timedelta(days=1))
    assert sum(getattr(after, f.name) for f in fields(Habits)) < 0.5 * sum(getattr(before, f.name) for f in fields(Habits))


@pytest.mark.skipif(not _has_rubric(), reason="qa_pipeline.rubric is not available yet")
def test_scored_centre_with_users_reviews_and_disputes(monkeypatch):
    from qa_pipeline.demo.activity import DEMO_PASSWORD
    from qa_pipeline.privacy import access

    monkeypatch.setattr(access, "BCRYPT_ROUNDS", 4)
    con = store.connect(":memory:")
    summary = build_centre(con, seed=5, calls=300, today=TODAY)
    assert summary.scored and 0 < summary.flagged < summary.calls
    per_agent = con.execute("SELECT c.agent_id, avg(r.score) FROM calls c JOIN call_results r USING (call_id) "
                            "GROUP BY 1 HAVING count(*) >= 5").fetchall()
    assert statistics.pstdev(s for _, s in per_agent) > 3
    roles = {r[0] for r in con.execute("SELECT role FROM app_user").fetchall()}
    assert roles == {"admin", "manager", "qa", "trainer", "team_lead", "agent"}
    assert access.authenticate(con, "qa.sun", DEMO_PASSWORD) is not None
    assert summary.reviews == con.execute("SELECT count(*) FROM reviews").fetchone()[0] > 0
    assert summary.disputes == con.execute("SELECT count(*) FROM disputes").fetchone()[0]
    assert con.execute("SELECT count(*) FROM quality_targets").fetchone()[0] == summary.targets > 0
    assert "demo-centre-2026" in str(summary)


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("sox"), reason="needs sox (and Piper's voice or espeak-ng)")
def test_rendered_call_times_follow_the_audio(tmp_path):
    from qa_pipeline.demo.audio import agent_party, customer_party, render_call

    rng = random.Random(4)
    d = compose(rng, "en", EN, NO_HABITS.with_(long_hold=1.0), domain="retail")
    while "long_hold" not in d.defects:  # the agent puts only some calls on hold
        d = compose(rng, "en", EN, NO_HABITS.with_(long_hold=1.0), domain="retail")
    call = Call(CallInfo("demo-audio-1", agent_id="E3101"), "en", timed_turns(d, rng), source="import")
    agent = agent_party(3101)
    customer = customer_party(agent, 2)
    assert abs(customer.pitch_cents - agent.pitch_cents) >= 500 and customer.espeak_voice != agent.espeak_voice
    rendered = render_call(call, tmp_path / "c.wav", agent=agent, customer=customer)
    info = sf.info(tmp_path / "c.wav")
    assert (info.channels, info.samplerate) == (2, 8000)
    assert rendered.source == "audio" and rendered.info.source_path == str(tmp_path / "c.wav") and rendered.sha256
    assert abs(info.duration - rendered.duration) < 0.1
    assert rendered.turns[-1].end <= info.duration
    for t in rendered.turns:
        assert t.words and t.start <= t.words[0].start and t.words[-1].end <= t.end + 1e-6
    data, rate = sf.read(tmp_path / "c.wav")
    first = rendered.turns[0]
    agent = abs(data[int(first.start * rate):int(first.end * rate), 0]).mean()
    customer = abs(data[int(first.start * rate):int(first.end * rate), 1]).mean()
    assert agent > 5 * customer  # the agent speaks on the left channel
    gaps = [b.start - a.end for a, b in zip(rendered.turns, rendered.turns[1:])]
    assert max(gaps) > 10  # the long hold survives rendering


@pytest.mark.skipif(not _has_rubric(), reason="qa_pipeline.rubric is not available yet")
def test_large_demo_builds_a_fresh_database_and_reports_progress(tmp_path, monkeypatch):
    from qa_pipeline.privacy import access

    monkeypatch.setattr(access, "BCRYPT_ROUNDS", 4)
    events = []
    db = tmp_path / "qa.duckdb"
    first = run_large_demo(db, tmp_path / "out", events.append, calls=60, audio_calls=0)
    assert events[0].step == "start" and events[-1].completed == events[-1].total == 60
    again = run_large_demo(db, tmp_path / "out", calls=40, audio_calls=0)  # a rebuild replaces the demo
    assert (first.calls, again.calls) == (60, 40)
    with store.opened(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM calls").fetchone()[0] == 40
        assert con.execute("SELECT count(*) FROM app_user").fetchone()[0] == len(again.users)
    assert "Sign in with any of these users" in str(again)


def test_centre_without_tts_tools_is_built_without_audio(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda tool: None)
    con = store.connect(":memory:")
    summary = build_centre(con, calls=20, users=False, audio_dir=tmp_path, audio_calls=5, today=TODAY)
    assert summary.audio_calls == 0 and not list(tmp_path.iterdir())
    assert any("no audio rendered" in n and "sox" in n and "apt-get install" in n for n in summary.notes)
    assert con.execute("SELECT count(*) FROM calls WHERE source = 'import'").fetchone()[0] == 20


def test_large_demo_refuses_a_database_with_real_calls(tmp_path):
    db = tmp_path / "qa.duckdb"
    with store.opened(db) as con:
        store.save_call(con, Call(CallInfo("call-1"), "en", (), source="import"))
    with pytest.raises(QaError, match="not demo calls"):
        run_large_demo(db, tmp_path / "out")


def test_roster_csv(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes("agent_id,agent_name,team,team_lead,hire_date,centre\n"
                     "A1021,王晓,售后一组,陈静,2024/03/18,华东客服中心\n"
                     "A1022,李娜,售后一组,陈静,,华东客服中心\n\n".encode("gbk"))
    entries = read_roster(path)
    assert [e.agent_id for e in entries] == ["A1021", "A1022"]
    assert entries[0].agent_name == "王晓" and entries[0].hire_date == date(2024, 3, 18)
    assert entries[1].hire_date is None
    con = store.connect(":memory:")
    assert save_roster(con, entries) == 2
    assert con.execute("SELECT team_lead, centre FROM agents WHERE agent_id = 'A1021'").fetchone() == ("陈静", "华东客服中心")


@pytest.mark.parametrize("text, problem", [
    ("name,team\nx,y\n", "no agent_id column"),
    ("agent_id,hire_date\nA1,yesterday\n", "line 2: hire_date 'yesterday' is not a date"),
    ("agent_id\nA1\nA1\n", "line 3: agent_id A1 is already on line 2"),
    ("agent_id,team\n,Team A\n", "line 2: agent_id is empty"),
    ("", "the roster is empty"),
])
def test_roster_errors_name_the_problem(text, problem):
    with pytest.raises(InputError, match=problem.replace("(", r"\(")) as err:
        parse_roster(text, "staff.csv")
    assert str(err.value).startswith("staff.csv")


def test_roster_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_roster(tmp_path / "nope.csv")
