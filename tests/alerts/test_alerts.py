"""Alerts on critical calls: rules from a file, e-mail through a local SMTP server and a JSON
POST to a local receiver (both started here on 127.0.0.1), once per call and rule whatever is
re-run or re-scored, retried with backoff, every attempt recorded; what the dashboard shows to whom."""
from __future__ import annotations

import email
import email.policy
import shutil
import subprocess
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest
import yaml
from alert_fixtures import CALLS, EXPECTED, RULES, SmtpServer, WebhookReceiver, free_port, make_call, save_calls
from click.testing import CliRunner
from dashboard_fixtures import batch_holding_the_lock

from qa_pipeline.alerts.channels import email_message
from qa_pipeline.alerts.config import AlertConfigError, load_config, parse_config
from qa_pipeline.alerts.evaluate import raise_alerts
from qa_pipeline.alerts.send import send_due
from qa_pipeline.cli.main import cli
from qa_pipeline.insights.alerts import alerts_for
from qa_pipeline.privacy import access
from qa_pipeline.privacy.access import User, Viewer
from qa_pipeline.review import reviews
from qa_pipeline.store import database as store
from qa_pipeline.store import journal, migrations
from qa_pipeline.store.pending import pending_count


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "qa.duckdb"
    rounds, access.BCRYPT_ROUNDS = access.BCRYPT_ROUNDS, 4
    with store.opened(path) as con:
        save_calls(con)
        for username, role, team, mail in [("qa1", "qa", "Team A", "qa1@centre.example"),
                                           ("qa2", "qa", "Team B", None), ("qa0", "qa", None, None),
                                           ("leadA", "team_lead", "Team A", "lead.a@centre.example"),
                                           ("leadB", "team_lead", "Team B", None), ("mgr", "manager", None, None),
                                           ("trainer", "trainer", None, None)]:
            access.add_user(con, username, None, role, team=team, email=mail or f"{username}@example.org")
        con.execute("UPDATE app_user SET email = NULL WHERE username IN ('qa2', 'leadB')")
    access.BCRYPT_ROUNDS = rounds
    return path


@pytest.fixture()
def smtp():
    server = SmtpServer()
    yield server
    server.close()


@pytest.fixture()
def hook():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


def _config(tmp_path: Path, smtp: SmtpServer | None, hook: WebhookReceiver | None, **extra) -> Path:
    data: dict = {"rules": extra.pop("rules", RULES), "retry": {"attempts": 3, "backoff_seconds": 0.01},
                  "since": "2026-12-01"}  # the calls were stored before the rules were first used
    if smtp is not None:
        data["email"] = {"host": "127.0.0.1", "port": smtp.port, "starttls": False, "from": "qa@centre.example",
                         "to": ["qa-leads@centre.example"]}
    if hook is not None:
        data["webhook"] = {"url": hook.url}
    for key, value in extra.items():
        data.setdefault(key, {}) if isinstance(value, dict) else None
        if isinstance(value, dict):
            data[key].update(value)
        else:
            data[key] = value
    path = tmp_path / "alerts.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _rows(db: Path, sql: str) -> list[tuple]:
    with store.opened(db, read_only=True) as con:
        return con.execute(sql).fetchall()


def test_each_alert_is_delivered_by_email_and_webhook(db, tmp_path, smtp, hook):
    config = load_config(_config(tmp_path, smtp, hook, dashboard_url="https://qa.centre.example"))
    report = send_due(db, config)
    assert (report.raised, report.sent, report.retrying, report.given_up) == (4, 7, 0, 0)
    assert set(_rows(db, "SELECT call_id, rule_id FROM alerts")) == EXPECTED

    posts = {(p["call_id"], p["rule"]): p for p in hook.posts}
    assert set(posts) == EXPECTED
    critical = posts[("c1", "critical-item")]
    assert critical["team"] == "Team A" and critical["agent_name"] == "Agent a01" and critical["score"] == 0
    assert critical["reasons"] == ["critical item failed: E1"]
    assert critical["dashboard_url"] == "https://qa.centre.example"
    assert posts[("c2", "complaint-no-reply-time")]["reasons"] == ["failed: D4", "complaint call"]
    assert posts[("c3", "billing-flagged")]["queue"] == "billing"
    assert all(h["Idempotency-Key"] == p["alert_id"] for h, p in zip(hook.headers, hook.posts))

    mails = {m["Subject"]: (to, m) for to, m in smtp.messages}
    assert len(smtp.messages) == 3  # billing-flagged is webhook only
    to, msg = mails["[QA alert] Score under 60: call c3 (Team B, Agent b01)"]
    assert to == ["qa-leads@centre.example"] and msg["From"] == "qa@centre.example"
    assert "Why: score 55 below 60" in msg.get_payload()
    assert "Hello, Star Bank" not in msg.get_payload()  # no transcript text leaves the centre

    deliveries = _rows(db, "SELECT channel, status, attempts, target FROM alert_deliveries ORDER BY ALL")
    assert [d[:3] for d in deliveries] == [("email", "sent", 1)] * 3 + [("webhook", "sent", 1)] * 4
    assert {d[3] for d in deliveries if d[0] == "webhook"} == {f"http://127.0.0.1:{hook.port}"}  # no secret path
    attempts = _rows(db, "SELECT ok, count(*) FROM alert_attempts GROUP BY ok")
    assert attempts == [(True, 7)]


def test_a_rerun_or_rescore_never_sends_the_same_alert_twice(db, tmp_path, smtp, hook):
    config = load_config(_config(tmp_path, smtp, hook))
    send_due(db, config)
    assert (len(smtp.messages), len(hook.posts)) == (3, 4)
    with store.opened(db) as con:  # qa run again (same results) and qa score with a new rubric version
        save_calls(con)
        store.save_results(con, [make_call(**spec, version="2")[1] for spec in CALLS])
    report = send_due(db, config)
    assert (report.raised, report.sent) == (0, 0)
    result = CliRunner().invoke(cli, ["alerts", "send", "--db", str(db), "--config", str(tmp_path / "alerts.yaml")])
    assert result.exit_code == 0, result.output
    assert "0 new alert(s); 0 delivered" in result.output
    assert (len(smtp.messages), len(hook.posts)) == (3, 4)
    assert _rows(db, "SELECT count(*) FROM alert_attempts") == [(7,)]


def test_a_call_that_newly_matches_after_a_rescore_raises_its_alert_once(db, tmp_path, smtp, hook):
    config = load_config(_config(tmp_path, smtp, hook))
    send_due(db, config)
    with store.opened(db) as con:  # the new rubric version finds a critical failure in c4
        store.save_results(con, [make_call("c4", "Team B", "b02", 0.0, critical_failed=True, version="2")[1]])
    report = send_due(db, config)
    assert (report.raised, report.sent) == (2, 4)  # critical-item and (Team B) low-score, each by e-mail + webhook
    assert ("c4", "critical-item") in {(p["call_id"], p["rule"]) for p in hook.posts}
    assert send_due(db, config).sent == 0


def test_a_failing_webhook_is_retried_with_backoff_and_every_attempt_recorded(db, tmp_path, hook):
    hook.statuses = [500, 503]  # the first two tries fail, the third lands
    waits: list[float] = []
    config = load_config(_config(tmp_path, None, hook, rules=RULES[:1]))
    report = send_due(db, config, sleep=waits.append)
    assert (report.sent, report.retrying) == (1, 0)
    assert waits == [0.01, 0.02]
    assert len(hook.posts) == 1 and hook.tries == 3
    attempts = _rows(db, "SELECT attempt, ok, detail FROM alert_attempts ORDER BY attempt")
    assert [(a, ok) for a, ok, _ in attempts] == [(1, False), (2, False), (3, True)]
    assert "HTTP 500" in attempts[0][2] and "HTTP 503" in attempts[1][2] and attempts[2][2] == "HTTP 200"
    assert _rows(db, "SELECT status, attempts, last_error FROM alert_deliveries") == [("sent", 3, None)]


def test_a_receiver_down_is_tried_again_by_later_runs_then_given_up(db, tmp_path, hook):
    down = {"url": f"http://127.0.0.1:{free_port()}/hook"}
    path = _config(tmp_path, None, None, rules=RULES[:1], webhook=down,
                   retry={"attempts": 2, "backoff_seconds": 10, "give_up_after": 3})
    config = load_config(path)
    waits: list[float] = []
    report = send_due(db, config, sleep=waits.append)
    assert (report.retrying, report.sent, waits) == (1, 0, [10])
    assert "unreachable" in report.problems[0] and "tried again by the next" in report.problems[0]
    assert _rows(db, "SELECT status, attempts FROM alert_deliveries") == [("pending", 2)]
    # Not due yet: the next try waits 2 × 10 s after the second.
    result = CliRunner().invoke(cli, ["alerts", "send", "--db", str(db), "--config", str(path)])
    assert result.exit_code == 0 and "0 delivered, 0 to retry" in result.output, result.output
    later = datetime.now(timezone.utc) + timedelta(minutes=5)
    report = send_due(db, config, sleep=lambda s: None, clock=lambda: later)
    assert (report.given_up, report.sent) == (1, 0)
    assert _rows(db, "SELECT status, attempts FROM alert_deliveries") == [("failed", 3)]
    assert _rows(db, "SELECT count(*), bool_or(ok) FROM alert_attempts") == [(3, False)]
    # Given up is final: the receiver coming back changes nothing.
    report = send_due(db, load_config(_config(tmp_path, None, hook, rules=RULES[:1])), clock=lambda: later)
    assert report.sent == 0 and hook.tries == 0


def test_qa_alerts_send_exits_1_while_a_delivery_fails(db, tmp_path):
    path = _config(tmp_path, None, None, rules=RULES[:1], webhook={"url": f"http://127.0.0.1:{free_port()}/"},
                   retry={"attempts": 1, "backoff_seconds": 0})
    result = CliRunner().invoke(cli, ["alerts", "send", "--db", str(db), "--config", str(path)])
    assert result.exit_code == 1 and "1 new alert(s); 0 delivered, 1 to retry" in result.output, result.output
    assert "unreachable" in result.output


def test_a_failing_server_is_not_waited_out_for_every_alert(db, tmp_path, hook):
    hook.statuses = [500]
    config = load_config(_config(tmp_path, None, hook, retry={"attempts": 1, "backoff_seconds": 1}))
    report = send_due(db, config)
    assert (report.raised, report.retrying, report.deferred, hook.tries) == (4, 1, 3, 1)
    assert _rows(db, "SELECT count(*) FROM alert_attempts") == [(1,)]
    report = send_due(db, config, clock=lambda: datetime.now(timezone.utc) + timedelta(seconds=5))
    assert (report.sent, report.deferred) == (4, 0) and len(hook.posts) == 4


def test_an_smtp_server_that_refuses_at_first_gets_the_mail_once(db, tmp_path, smtp, monkeypatch):
    smtp.refuse_first = 1
    monkeypatch.setenv("QA_TEST_SMTP_PASSWORD", "s3cret-from-env")
    path = _config(tmp_path, smtp, None, rules=RULES[:1],
                   email={"username": "qa-alerts", "password_env": "QA_TEST_SMTP_PASSWORD", "team_contacts": True})
    report = send_due(db, load_config(path), sleep=lambda s: None)
    assert report.sent == 1 and len(smtp.messages) == 1
    to, _ = smtp.messages[0]
    # the configured list plus the call's team's QA specialist and team lead (Team A)
    assert to == ["qa-leads@centre.example", "lead.a@centre.example", "qa1@centre.example"]
    assert smtp.logins == [("qa-alerts", "s3cret-from-env"), ("qa-alerts", "s3cret-from-env")]
    attempts = _rows(db, "SELECT ok, detail FROM alert_attempts ORDER BY attempt")
    assert attempts[0][0] is False and "451" in attempts[0][1] and attempts[1][0] is True
    assert "s3cret" not in Path(path).read_text()


def test_mail_goes_over_starttls_with_a_login(db, tmp_path, monkeypatch):
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trusted by ssl.create_default_context, as a centre's CA is
    monkeypatch.setenv("QA_TEST_SMTP_PASSWORD", "s3cret-from-env")
    server = SmtpServer(tls=(str(cert), str(key)))
    try:
        path = _config(tmp_path, server, None, rules=RULES[:1],
                       email={"starttls": True, "username": "qa-alerts", "password_env": "QA_TEST_SMTP_PASSWORD"})
        assert send_due(db, load_config(path)).sent == 1
        assert server.secured == [True] and server.logins == [("qa-alerts", "s3cret-from-env")]
    finally:
        server.close()


def test_an_email_with_chinese_names_is_7_bit_and_reads_back(tmp_path):
    config = parse_config({"rules": RULES[:1], "email": {"host": "127.0.0.1", "from": "qa@centre.example",
                                                         "to": ["lead@centre.example"]}})
    alert = {"alert_id": "x1", "rule": "critical-item", "title": "严重项未通过", "call_id": "0412", "team": "热线一组",
             "agent_name": "王芳", "score": 0.0, "rubric_id": "standard-zh", "rubric_version": "1",
             "reasons": ["critical item failed: E1"]}
    raw = email_message(config.email, ["lead@centre.example"], alert).as_bytes()
    assert max(raw) < 128
    back = email.message_from_bytes(raw, policy=email.policy.default)
    assert back["Subject"] == "[QA alert] 严重项未通过: call 0412 (热线一组, 王芳)"
    assert "Team: 热线一组" in back.get_content()


def test_a_missing_secret_stops_before_anything_is_sent(db, tmp_path, smtp, monkeypatch):
    monkeypatch.delenv("QA_TEST_SMTP_PASSWORD", raising=False)
    path = _config(tmp_path, smtp, None, email={"username": "x", "password_env": "QA_TEST_SMTP_PASSWORD"})
    result = CliRunner().invoke(cli, ["alerts", "send", "--db", str(db), "--config", str(path)])
    assert result.exit_code == 2 and "QA_TEST_SMTP_PASSWORD" in result.output and "not set" in result.output
    assert smtp.messages == [] and _rows(db, "SELECT count(*) FROM alerts") == [(0,)]


def test_an_attempt_recorded_while_a_batch_holds_the_database_is_not_sent_again(db, tmp_path, hook, monkeypatch):
    monkeypatch.setattr(journal, "WRITE_WAIT_SECONDS", 0.3)
    holding = ExitStack()
    # While the webhook takes the alert, a batch opens the database (as `qa run` does for a call).
    hook.on_post = lambda: holding.enter_context(batch_holding_the_lock(db))
    config = load_config(_config(tmp_path, None, hook, rules=RULES[:1]))
    with holding:
        report = send_due(db, config)
        assert (report.sent, report.queued_records) == (1, 1)
    assert pending_count(db) == 1
    hook.on_post = None
    report = send_due(db, config)  # its read-write open applies the journaled record first
    assert (report.raised, report.sent) == (0, 0) and len(hook.posts) == 1 and pending_count(db) == 0
    assert _rows(db, "SELECT status, attempts FROM alert_deliveries") == [("sent", 1)]


def _viewer(role: str, team=None, agent_id=None) -> Viewer:
    return Viewer.of(User(f"u-{role}", role, team=team, agent_id=agent_id))


def test_the_dashboard_shows_alerts_to_the_calls_team(db, tmp_path, hook):
    send_due(db, load_config(_config(tmp_path, None, hook)))

    def seen(viewer, team=None):
        return set(zip(*alerts_for(db, viewer, specialist_team=team).select("call_id", "rule_id")))

    everything = EXPECTED
    assert seen(_viewer("manager")) == everything and seen(_viewer("admin")) == everything
    assert seen(_viewer("team_lead", "Team A")) == {("c1", "critical-item"), ("c2", "complaint-no-reply-time")}
    assert seen(_viewer("team_lead", "Team B")) == {("c3", "low-score"), ("c3", "billing-flagged")}
    assert seen(_viewer("qa"), team="Team A") == {("c1", "critical-item"), ("c2", "complaint-no-reply-time")}
    assert seen(_viewer("qa"), team=None) == everything  # a specialist with no team covers every team
    assert seen(_viewer("trainer")) == set() and seen(_viewer("agent", agent_id="a01")) == set()
    rows = alerts_for(db, _viewer("team_lead", "Team A"))
    assert set(rows["webhook"].to_list()) == {"sent"} and set(rows["email"].to_list()) == {None}
    with store.opened(db) as con:
        reviews.review_call(con, "c1", reviewer="qa1")
    still_open = alerts_for(db, _viewer("team_lead", "Team A"), open_only=True)
    assert still_open["call_id"].to_list() == ["c2"]


def test_a_specialist_also_sees_teams_nobody_covers(db, tmp_path, hook):
    with store.opened(db) as con:
        con.execute("UPDATE app_user SET active = FALSE WHERE username = 'qa2'")  # Team B uncovered
    send_due(db, load_config(_config(tmp_path, None, hook)))
    calls = set(alerts_for(db, _viewer("qa"), specialist_team="Team A")["call_id"].to_list())
    assert calls == {"c1", "c2", "c3"}


def _bad(tmp_path: Path, text: str) -> str:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AlertConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    return message


def test_bad_configuration_names_the_file_the_rule_and_what_is_allowed(tmp_path):
    m = _bad(tmp_path, "rules:\n  - id: low\n    when: {score_under: 60}\n")
    assert "rule 'low'" in m and "'score_under'" in m and "score_below" in m and "critical_failed" in m
    assert "no known condition, so it would match every call" in m
    m = _bad(tmp_path, "rules:\n  - id: low\n    when: {score_below: high}\n")
    assert "rule 'low': score_below: expected a number from 0 to 100, got 'high'" in m
    m = _bad(tmp_path, "rules:\n  - id: x\n    when: {critical_failed: true}\n    send: [sms]\n")
    assert "unknown channel 'sms'; allowed: email, webhook" in m
    m = _bad(tmp_path, "email: {host: smtp, from: a@b.c, to: [x@y.z], password: hunter2}\n"
                       "rules: [{id: x, when: {critical_failed: true}}]\n")
    assert "password must not be written in the file" in m and "password_env" in m
    m = _bad(tmp_path, "rules: [{id: a, when: {critical_failed: true}}, {id: a, when: {flagged: yes}}]\n"
                       "webhook: {url: ftp://x}\n")
    assert "2 problems" in m and "rule 'a': the id is used twice" in m and "http:// or https://" in m
    m = _bad(tmp_path, "rules: []\n")
    assert "at least one rule" in m
    m = _bad(tmp_path, "rules: [{id: a, when: {critical_failed: true}}]\nwebhok: {url: http://x}\n")
    assert "unknown key 'webhok'" in m and "webhook" in m
    assert "not valid YAML" in _bad(tmp_path, "rules: [\n")


def test_qa_alerts_check_lists_the_rules(tmp_path, smtp, hook):
    path = _config(tmp_path, smtp, hook)
    result = CliRunner().invoke(cli, ["alerts", "check", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert "4 rule(s); delivered by email, webhook" in result.output
    assert "billing-flagged" in result.output and "queues: billing" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules: [{id: x, when: {}}]\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["alerts", "check", "--config", str(bad)])
    assert result.exit_code == 2 and str(bad) in result.output and "rule 'x'" in result.output


def test_qa_alerts_list_on_a_database_from_before_alerts(tmp_path):
    db = tmp_path / "old.duckdb"
    with duckdb.connect(str(db)) as con:
        migrations.current_version(con)
        for m in migrations.MIGRATIONS:
            if "alert_store" in m.sql:  # the schema as it was before alerts
                break
            con.execute(m.sql)
            con.execute("INSERT INTO schema_migrations (version, description) VALUES (?, ?)",
                        [m.version, m.description])
    result = CliRunner().invoke(cli, ["alerts", "list", "--db", str(db)])
    assert result.exit_code == 2 and "no alerts yet" in result.output and "qa alerts send" in result.output


def test_qa_alerts_list_shows_each_delivery(db, tmp_path, hook):
    send_due(db, load_config(_config(tmp_path, None, hook)))
    result = CliRunner().invoke(cli, ["alerts", "list", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) == 4 and "webhook sent (1)" in result.output


def test_a_new_rule_alerts_on_calls_stored_from_its_first_use_or_since(db):
    rules = [{"id": "any-flag", "when": {"flagged": True}, "teams": ["Team A"]}]
    with store.opened(db) as con:
        assert raise_alerts(con, parse_config({"rules": rules, "since": "2026-12-06"})) == []  # started 5 Dec
        assert raise_alerts(con, parse_config({"rules": rules})) == []  # c1 was stored before the rule's first use
        store.save_results(con, [make_call(**CALLS[0], version="2")[1]])  # re-scoring the history: still nothing
        assert raise_alerts(con, parse_config({"rules": rules})) == []
        call, result = make_call("c5", "Team A", "a01", 40.0, flagged=True)
        store.save_call(con, call, [result])  # qa run stores a new call
        other_team, result = make_call("c6", "Team B", "b01", 40.0, flagged=True)
        store.save_call(con, other_team, [result])
        raised = raise_alerts(con, parse_config({"rules": rules}))
        assert [(a.call_id, a.rule_id, a.reasons) for a in raised] == [("c5", "any-flag", ("flagged",))]
        since = raise_alerts(con, parse_config({"rules": rules, "since": "2026-12-05"}))
        assert [a.call_id for a in since] == ["c1"]  # reaching back to the history on purpose
