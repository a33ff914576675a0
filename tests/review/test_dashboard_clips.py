"""Clips, playlist export, the weekly report and the dashboard commands; hostile inputs."""
from __future__ import annotations

import io
import zipfile
from datetime import date

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner
from dashboard_fixtures import build_reviewed_centre
from shared_data import shared_file

from qa_pipeline.cli.dashboard import streamlit_command
from qa_pipeline.cli.main import cli
from qa_pipeline.insights import aggregates, queries, report
from qa_pipeline.insights.filters import CallFilter
from qa_pipeline.privacy import access
from qa_pipeline.privacy.access import User, Viewer
from qa_pipeline.records import Call, CallInfo, Turn, Word
from qa_pipeline.review import clips
from qa_pipeline.store import database as store


@pytest.fixture
def centre(tmp_path, monkeypatch):
    audio = shared_file("data", "audio", "pyannote_sample.wav")
    monkeypatch.setenv("QA_RECORDINGS", str(audio.parent))
    monkeypatch.setenv("QA_EXPORTS", str(tmp_path / "exports"))
    db = tmp_path / "qa.duckdb"
    with store.opened(db) as con:
        build_reviewed_centre(con, n=24, audio=str(audio))
        said = Call(info=CallInfo("card-call", source_path=str(audio), agent_id="a01", team="Team A",
                                  started_at="2026-11-10T10:00:00+00:00"),
                    language="en", redacted=True, source="audio", duration=30.0,
                    turns=(Turn("customer", 1.0, 4.0, "my card is [CARD ****1234] thanks",
                                (Word(1.0, 2.0, "my card is", 0.9, "customer"),
                                 Word(2.0, 3.0, "[CARD ****1234]", 0.9, "customer"),
                                 Word(3.0, 4.0, "thanks", 0.9, "customer"))),))
        store.save_call(con, said)
    return db, audio


def _tone_share(samples: np.ndarray, rate: int) -> float:
    """How much of the signal is the 1 kHz bleep."""
    t = np.arange(len(samples)) / rate
    ref = np.sin(2 * np.pi * 1000 * t)
    return abs(float(np.dot(samples, ref))) / (np.linalg.norm(samples) * np.linalg.norm(ref) + 1e-9)


def test_clip_is_cut_around_the_evidence_and_bleeped(centre):
    db, audio = centre
    data = clips.clip_audio(db, "card-call", str(audio), 2.0, 3.0, pad=1.0)
    samples, rate = sf.read(io.BytesIO(data), dtype="float32")
    assert rate == 16000 and abs(len(samples) / rate - 3.0) < 0.01  # 1 s pad either side
    original, _ = sf.read(str(audio), dtype="float32")
    before = samples[: int(0.9 * rate)]
    assert np.allclose(before, original[16000:16000 + len(before)], atol=1e-3)  # untouched speech
    bleeped = samples[int(1.1 * rate): int(1.9 * rate)]
    assert _tone_share(bleeped, rate) > 0.95  # the card number is a tone
    whole = clips.call_audio(db, "card-call", str(audio))
    full, _ = sf.read(io.BytesIO(whole), dtype="float32")
    assert _tone_share(full[int(2.1 * rate): int(2.9 * rate)], rate) > 0.95


def test_recordings_only_inside_the_configured_folders(centre, tmp_path):
    db, audio = centre
    assert clips.resolve_recording(db, None) is None
    assert clips.resolve_recording(db, str(audio)) == audio.resolve()
    for hostile in [str(audio.parent / ".." / ".." / "qa-form.md"), "/etc/passwd", "../../etc/passwd",
                    "x" * 5000, "a\0b"]:
        with pytest.raises(access.PathNotAllowed):
            clips.clip_audio(db, "card-call", hostile, 1.0, 2.0)


def test_export_playlist_writes_clips_and_excerpts_inside_the_export_folder(centre, tmp_path):
    db, audio = centre
    specs = [clips.ClipSpec("card-call", "E1", 1.0, 4.0, "bleeped card", str(audio)),
             clips.ClipSpec("call-0001", "D4", None, None, "imported call", None, evidence="reply within 24 hours")]
    folder = clips.export_playlist(db, "complaints / good?", specs)
    assert folder.parent == (tmp_path / "exports").resolve()
    assert sorted(p.name for p in folder.iterdir()) == ["01_card-call_E1.wav", "transcript.txt"]
    text = (folder / "transcript.txt").read_text(encoding="utf-8")
    assert "[CARD ****1234]" in text and "note: imported call" in text
    assert "[no audio: the call is an imported transcript without a recording]" in text
    assert "reply within 24 hours" in text
    names = zipfile.ZipFile(io.BytesIO(clips.zip_folder(folder))).namelist()
    assert f"{folder.name}/transcript.txt" in names
    with pytest.raises(access.PathNotAllowed):
        clips.export_playlist(db, "x", specs, out_dir="../../outside")


def test_weekly_report_is_one_self_contained_file(centre, tmp_path):
    db, _ = centre
    html = report.build_report(db, "2026-W45")
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html
    assert 'src="http' not in html and "src='http" not in html and 'href="http' not in html  # nothing fetched
    assert "Call QA weekly report — 2026-W45" in html and html.count("<svg") >= 5
    assert "Average score" in html and "Quality targets" in html
    scoped = report.build_report(db, "2026-W45", Viewer.of(User("leadB", "team_lead", team="Team B")))
    assert "Team A" not in scoped.split("<h2>Quality targets</h2>")[0]
    with pytest.raises(report.ReportError, match="YYYY-Www"):
        report.parse_week("2026-46")
    with pytest.raises(report.ReportError, match="no such ISO week"):
        report.parse_week("2026-W60")
    out = tmp_path / "r.html"
    result = CliRunner().invoke(cli, ["report", "--db", str(db), "--week", "2026-W45", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").count("<svg") >= 5


def test_dashboard_command_is_headless_and_local_mode_stays_local(tmp_path):
    cmd = streamlit_command(str(tmp_path / "qa.duckdb"), "127.0.0.1", 8765)
    assert "--server.headless=true" in cmd and "--browser.gatherUsageStats=false" in cmd
    assert "--server.port=8765" in cmd and "--server.address=127.0.0.1" in cmd
    result = CliRunner().invoke(cli, ["dashboard", "--db", str(tmp_path / "qa.duckdb"), "--local",
                                      "--host", "0.0.0.0"])
    assert result.exit_code != 0 and "--local" in result.output


def test_queue_command_shares_out(centre):
    db, _ = centre
    result = CliRunner().invoke(cli, ["queue", "--db", str(db), "--by", "turn", "--sample", "100"])
    assert result.exit_code == 0, result.output
    assert "queued" in result.output


@pytest.mark.parametrize("hostile", ["'; DROP TABLE call_store; --", "Team A' OR '1'='1", "%", "_", "\\",
                                     "x" * 10000, "队伍🙂"])
def test_hostile_filter_values_match_nothing_and_break_nothing(centre, hostile):
    db, _ = centre
    everyone = Viewer.of(User("m", "manager"))
    f = CallFilter(teams=(hostile,), agents=(hostile,), languages=(hostile,), flag_reason=hostile,
                           failed_item=hostile)
    rows, total = queries.review_queue(db, everyone, f)
    assert total == 0 and rows.is_empty()
    found, n, _ = queries.search_findings(db, everyone, CallFilter(), item=hostile, outcome=hostile,
                                          words=hostile)
    assert n == 0 and found.is_empty()
    assert queries.call_header(db, everyone, hostile).is_empty()
    assert aggregates.weekly_trends(db, everyone, f).is_empty()
    with store.opened(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM call_store").fetchone()[0] == 25


@pytest.mark.parametrize("f", [CallFilter(teams=("Team A",)), CallFilter(agents=("a01",)),
                               CallFilter(languages=("zh",)), CallFilter(date_from=date(2026, 11, 5)),
                               CallFilter(date_to=date(2026, 11, 5)), CallFilter(failed_item="C3"),
                               CallFilter(flag_reason="low score", teams=("Team B",))])
def test_queue_total_counts_the_calls_the_filter_keeps(centre, f, monkeypatch):
    """The queue page's "N calls" is the number of queued calls its filter keeps, in every
    status, order and assignee: the rows of all its pages, fewer than the whole queue's."""
    db, _ = centre
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)  # several pages
    everyone = Viewer.of(User("m", "manager"))
    whole = queries.review_queue(db, everyone, CallFilter(), status="all")[1]
    for status in ("open", "reviewed", "all"):
        for order in ("newest", "worst"):
            for assignee in (None, "qa1"):
                total, ids, page = None, [], 0
                while page == 0 or rows.height:
                    rows, total = queries.review_queue(db, everyone, f, assignee=assignee, status=status,
                                                       order=order, page=page)
                    ids += rows["call_id"].to_list()
                    page += 1
                assert total == len(ids) == len(set(ids)), (status, order, assignee)
    assert 0 < queries.review_queue(db, everyone, f, status="all")[1] < whole


def test_scope_keeps_a_team_lead_to_their_team(centre):
    db, _ = centre
    lead = Viewer.of(User("leadA", "team_lead", team="Team A"))
    rows, _ = queries.review_queue(db, lead, CallFilter(), status="all")
    assert set(rows["team"]) == {"Team A"}
    assert queries.call_header(db, lead, "call-0002").is_empty()  # a Team B call
    assert set(aggregates.weekly_trends(db, lead, CallFilter(), "team")["group"]) == {"Team A"}
    opts = aggregates.filter_options(db, lead)
    assert opts["teams"] == ["Team A"] and set(opts["agents"]["team"]) == {"Team A"}


@pytest.mark.parametrize("text, shown", [
    ("My order number is OR08409328.", "My order number is ****9328."),
    ("是7539062332。", "是****2332。"),
    ("card 6222 0212 3456 7890", "card ****7890"),
    ("[PHONE ****7312]", "[PHONE ****7312]"),
    ("工号1024, within 24 hours, 2026-11-20", "工号1024, within 24 hours, 2026-11-20"),
])
def test_long_numbers_are_masked_for_viewers_without_customer_ids(text, shown):
    assert access.mask_identifiers(text) == shown


def test_export_for_a_trainer_masks_numbers(centre):
    db, _ = centre
    with store.opened(db) as con:
        con.execute("UPDATE turn_store SET text = 'my account is 7539062332' WHERE call_id = 'call-0003' AND turn = 1")
    spec = clips.ClipSpec("call-0003", "A1", 0.0, 8.0, None, None)
    folder = clips.export_playlist(db, "for trainers", [spec], mask=True)
    text = (folder / "transcript.txt").read_text(encoding="utf-8")
    assert "****2332" in text and "7539062332" not in text
