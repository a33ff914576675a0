"""The Alerts page of the dashboard, under Streamlit's AppTest, for each role."""
from __future__ import annotations

from pathlib import Path

import pytest
from alert_fixtures import RULES, WebhookReceiver, save_calls
from streamlit.testing.v1 import AppTest

from qa_pipeline.alerts.config import parse_config
from qa_pipeline.alerts.send import send_due
from qa_pipeline.privacy.access import User
from qa_pipeline.store import database as store

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"
PAGE = "views/alerts.py"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("alerts_page") / "qa.duckdb"
    with store.opened(path) as con:
        save_calls(con)
    hook = WebhookReceiver()
    try:
        send_due(path, parse_config({"rules": RULES, "webhook": {"url": hook.url}, "since": "2026-12-01"}))
    finally:
        hook.close()
    return path


def _page(db: Path, monkeypatch, user: User) -> AppTest:
    monkeypatch.setenv("QA_DB", str(db))
    monkeypatch.delenv("QA_DASHBOARD_LOCAL", raising=False)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["user"] = user
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_team_lead_sees_their_teams_alerts_and_opens_a_call(db, monkeypatch):
    at = _page(db, monkeypatch, User("leadA", "team_lead", team="Team A"))
    assert at.title[0].value == "Alerts"
    shown = at.dataframe[0].value
    assert sorted(shown["call_id"].to_list()) == ["c1", "c2"]
    at.selectbox(key="al_call").set_value("c1").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value == "Call c1" for s in at.subheader)


def test_a_manager_sees_every_alert(db, monkeypatch):
    at = _page(db, monkeypatch, User("mgr", "manager"))
    assert sorted(set(at.dataframe[0].value["call_id"].to_list())) == ["c1", "c2", "c3"]


def test_trainers_and_agents_have_no_alerts_page(db, monkeypatch):
    for user in (User("trainer", "trainer"), User("a01", "agent", team="Team A", agent_id="a01")):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            _page(db, monkeypatch, user)


def test_no_alerts_yet_says_how_to_raise_them(tmp_path, monkeypatch):
    empty = tmp_path / "empty.duckdb"
    store.connect(empty).close()
    at = _page(empty, monkeypatch, User("mgr", "manager"))
    assert not at.dataframe and "qa alerts send" in at.info[0].value
