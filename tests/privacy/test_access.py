"""Roles, sign-in, viewers and their call scope, audit log and safe paths, including hostile inputs."""
from __future__ import annotations

import os
import time

import pytest

from qa_pipeline.insights.filters import scope_clause
from qa_pipeline.privacy import access
from qa_pipeline.privacy.access import (
    LOCAL_USER,
    ROLES,
    AccessError,
    PathNotAllowed,
    User,
    Viewer,
    add_user,
    audit_entries,
    authenticate,
    can,
    deactivate_user,
    find_user,
    list_users,
    safe_path,
    set_role,
)
from qa_pipeline.store import database as store

HOSTILE = [
    "' OR '1'='1",
    "admin'--",
    "x'; DROP TABLE app_user; --",
    "\" OR 1=1 --",
    "T1' OR team IS NOT NULL OR '",
    "%",
    "_",
    "\0",
    "李娜'); DELETE FROM audit_log; --",
    "A" * 100_000,
]


@pytest.fixture(autouse=True)
def fast_bcrypt(monkeypatch):
    monkeypatch.setattr(access, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def con():
    c = store.connect(":memory:")
    c.execute("CREATE TABLE scoped (call_id VARCHAR, team VARCHAR, agent_id VARCHAR)")
    c.executemany("INSERT INTO scoped VALUES (?, ?, ?)", [
        ["c1", "T1", "A001"], ["c2", "T1", "A002"], ["c3", "T2", "A003"], ["c4", None, None],
    ])
    add_user(c, "admin", "correct horse", "admin")
    add_user(c, "lead1", "lead password", "team_lead", team="T1")
    add_user(c, "a001", "agent password", "agent", agent_id="A001", team="T1")
    add_user(c, "trainer", "trainer password", "trainer")
    add_user(c, "sso.user", None, "qa", email="Sso.User@Example.com")
    yield c
    c.close()


def visible(con, user):
    where, params = scope_clause(Viewer.of(user))
    return sorted(r[0] for r in con.execute(f"SELECT call_id FROM scoped WHERE {where}", params).fetchall())


def test_roles_are_the_contract():
    assert ROLES == ("admin", "manager", "qa", "trainer", "team_lead", "agent")
    assert LOCAL_USER.role == "admin"


def test_authenticate(con):
    user = authenticate(con, "a001", "agent password")
    assert user == User("a001", "agent", None, "T1", "A001")
    assert authenticate(con, "a001", "Agent password") is None
    assert authenticate(con, "nobody", "agent password") is None
    assert authenticate(con, "a001", "") is None
    assert authenticate(con, "sso.user", "anything at all") is None  # OIDC-only: no password sign-in


def test_password_is_hashed_with_bcrypt(con):
    (h,) = con.execute("SELECT password_hash FROM app_user WHERE username = 'admin'").fetchone()
    assert h.startswith("$2") and "correct horse" not in h


def test_unknown_user_costs_as_long_as_a_wrong_password(con, monkeypatch):
    # Real bcrypt cost here: the dummy hash is made with 12 rounds; give the user the same.
    monkeypatch.setattr(access, "BCRYPT_ROUNDS", 12)
    add_user(con, "slow", "slow password", "qa")

    def timed(name):
        t = time.perf_counter()
        assert authenticate(con, name, "wrong password") is None
        return time.perf_counter() - t

    known, unknown = min(timed("slow") for _ in range(2)), min(timed("ghost") for _ in range(2))
    assert unknown > 0.5 * known


def test_deactivated_user_is_refused(con):
    deactivate_user(con, "a001", actor="admin")
    assert authenticate(con, "a001", "agent password") is None
    assert find_user(con, username="a001") is None
    assert [a.active for a in list_users(con) if a.user.username == "a001"] == [False]


def test_find_user_by_email_for_identity_provider(con):
    assert find_user(con, email="sso.user@example.com").role == "qa"
    assert find_user(con, email="") is None


def test_viewer_scope(con):
    assert visible(con, authenticate(con, "a001", "agent password")) == ["c1"]
    assert visible(con, User("lead1", "team_lead", team="T1")) == ["c1", "c2"]
    assert visible(con, User("x", "trainer")) == ["c1", "c2", "c3", "c4"]
    for role in ("admin", "manager", "qa"):
        assert len(visible(con, User("x", role))) == 4
    # incomplete or unknown users see nothing rather than everything
    assert visible(con, User("x", "agent")) == []
    assert visible(con, User("x", "team_lead")) == []
    assert visible(con, User("x", "superuser")) == []


def test_viewer_scope_is_parameterised_against_injection(con):
    for value in HOSTILE:
        assert visible(con, User("x", "agent", agent_id=value)) == []
        assert visible(con, User("x", "team_lead", team=value)) == []
    assert con.execute("SELECT count(*) FROM app_user").fetchone()[0] == 5


def test_permissions():
    agent, trainer, qa, admin = User("a", "agent", agent_id="A"), User("t", "trainer"), User("q", "qa"), User("x", "admin")
    assert can(agent, "dispute") and can(agent, "acknowledge")
    assert not can(agent, "review") and not can(agent, "see_customer_ids") and not can(agent, "export_clips")
    assert can(trainer, "export_clips") and not can(trainer, "see_customer_ids")
    assert can(qa, "review") and can(qa, "see_customer_ids") and not can(qa, "manage_users")
    assert can(admin, "manage_users")
    with pytest.raises(ValueError, match="unknown action"):
        can(admin, "delete_everything")


def test_viewer_is_who_looks_and_what_they_may_see():
    assert Viewer.of(User("l", "team_lead", team="T1", agent_id="A9")) == Viewer("l", "team_lead", "team", team="T1")
    assert Viewer.of(User("a", "agent", team="T1", agent_id="A1")) == Viewer("a", "agent", "agent", agent_id="A1")
    assert Viewer.of(User("x", "team_lead")).scope == "none"
    for role in ROLES:
        viewer = Viewer.of(User("x", role, team="T", agent_id="A"))
        assert viewer.masks_identifiers == (not can(User("x", role), "see_customer_ids"))
    assert not access.OWNER.masks_identifiers and access.OWNER.scope == "all"


def test_customer_metadata_is_hidden_from_viewers_who_mask():
    meta = {"caller_phone": "138", "Customer Name": "Li", "agent_ext": "1024", "ring_seconds": 3, "queue": "q1"}
    trainer, manager = Viewer.of(User("t", "trainer")), Viewer.of(User("m", "manager"))
    assert access.visible_metadata(trainer, meta) == {"agent_ext": "1024", "ring_seconds": 3, "queue": "q1"}
    assert access.visible_metadata(manager, meta) == meta


def test_role_change_is_audited(con):
    set_role(con, "a001", "team_lead", actor="admin", team="T2")
    assert authenticate(con, "a001", "agent password").role == "team_lead"
    latest = audit_entries(con, target="a001")[0]
    assert latest[1:4] == ("admin", "user.role", "a001")
    assert latest[4]["from"] == "agent" and latest[4]["to"] == "team_lead"
    assert latest[0] is not None


def test_user_management_errors(con):
    with pytest.raises(AccessError, match="already exists"):
        add_user(con, "admin", "another password", "admin")
    with pytest.raises(AccessError, match="unknown role"):
        add_user(con, "bob", "bob password", "root")
    with pytest.raises(AccessError, match="agent-id"):
        add_user(con, "bob", "bob password", "agent")
    with pytest.raises(AccessError, match="--team"):
        add_user(con, "bob", "bob password", "team_lead")
    with pytest.raises(AccessError, match="too short"):
        add_user(con, "bob", "short", "qa")
    with pytest.raises(AccessError, match="too long"):
        add_user(con, "bob", "密" * 30, "qa")  # 90 bytes in UTF-8
    with pytest.raises(AccessError, match="no user"):
        set_role(con, "ghost", "qa", actor="admin")


@pytest.mark.parametrize("name", HOSTILE + ["", "../etc/passwd", "a b", "-rf"])
def test_hostile_user_names(con, name):
    with pytest.raises(AccessError, match="invalid user name"):
        add_user(con, name, "a fine password", "qa")
    assert authenticate(con, name, "correct horse") is None
    assert find_user(con, username=name) is None
    assert con.execute("SELECT count(*) FROM app_user").fetchone()[0] == 5


def test_hostile_passwords_do_not_break_sign_in(con):
    for pw in HOSTILE + ["é" * 1000]:
        assert authenticate(con, "admin", pw) is None
    assert authenticate(con, "admin", "correct horse").username == "admin"


def test_audit_detail_keeps_hostile_text_verbatim(con):
    access.audit(con, "admin", "review.save", HOSTILE[2], {"note": HOSTILE[8]})
    entry = audit_entries(con, target=HOSTILE[2])[0]
    assert entry[4] == {"note": HOSTILE[8]}
    assert con.execute("SELECT count(*) FROM audit_log").fetchone()[0] >= 6


@pytest.fixture
def folders(tmp_path):
    rec, exp, outside = tmp_path / "recordings", tmp_path / "exports", tmp_path / "secret"
    for d in (rec, exp, outside):
        d.mkdir()
    (rec / "call1.wav").write_bytes(b"RIFF")
    (outside / "passwd").write_text("x")
    return rec, exp, outside


def test_safe_path_allows_files_inside(folders):
    rec, exp, _ = folders
    assert safe_path([rec, exp], "call1.wav") == (rec / "call1.wav").resolve()
    assert safe_path([rec, exp], rec / "call1.wav") == (rec / "call1.wav").resolve()
    assert safe_path([rec, exp], exp / "clip-new.wav") == (exp / "clip-new.wav").resolve()
    assert safe_path([rec], "sub/../call1.wav") == (rec / "call1.wav").resolve()


@pytest.mark.parametrize("bad", [
    "../secret/passwd", "../../../../etc/passwd", "/etc/passwd", "sub/../../secret/passwd",
    "..", "~/x", "\0call1.wav", "call1.wav\0.txt", "a/" * 3000, "",
])
def test_safe_path_refuses_escapes(folders, bad):
    rec, exp, _ = folders
    with pytest.raises(PathNotAllowed):
        safe_path([rec, exp], bad)


def test_safe_path_refuses_symlink_escape(folders):
    rec, _, outside = folders
    os.symlink(outside / "passwd", rec / "innocent.wav")
    os.symlink(outside, rec / "linked_dir")
    with pytest.raises(PathNotAllowed):
        safe_path([rec], "innocent.wav")
    with pytest.raises(PathNotAllowed):
        safe_path([rec], "linked_dir/passwd")


def test_safe_path_needs_a_folder(folders):
    with pytest.raises(PathNotAllowed, match="no recordings"):
        safe_path([], "call1.wav")


# --- the `qa users` commands, run as a user runs them -------------------------------------------

def _qa(args, input=None):
    from click.testing import CliRunner

    from qa_pipeline.cli.main import cli

    return CliRunner().invoke(cli, args, input=input, catch_exceptions=False)


def test_users_cli(tmp_path):
    db = str(tmp_path / "qa.duckdb")
    r = _qa(["users", "add", "boss", "--role", "admin", "--db", db, "--password-stdin"], input="boss password\n")
    assert r.exit_code == 0, r.output
    r = _qa(["users", "add", "a7", "--role", "agent", "--agent-id", "A007", "--team", "T1", "--name", "王晓",
             "--db", db, "--password-stdin"], input="agent password\n")
    assert r.exit_code == 0, r.output
    r = _qa(["users", "add", "sso", "--role", "trainer", "--email", "t@example.com", "--sso-only", "--db", db])
    assert r.exit_code == 0, r.output
    r = _qa(["users", "set-role", "a7", "team_lead", "--db", db])
    assert r.exit_code == 0 and "team_lead" in r.output
    r = _qa(["users", "deactivate", "sso", "--db", db])
    assert r.exit_code == 0
    r = _qa(["users", "list", "--db", db])
    lines = {line.split()[0]: line.split() for line in r.output.splitlines()[1:]}
    assert lines["a7"][:5] == ["a7", "team_lead", "T1", "A007", "password"]
    assert lines["sso"][4] == "disabled" and lines["boss"][1] == "admin"
    with store.opened(db) as con:
        assert authenticate(con, "a7", "agent password").role == "team_lead"
        actions = [e[2] for e in audit_entries(con)]
        assert actions.count("user.add") == 3 and "user.role" in actions and "user.deactivate" in actions
        assert all(e[1].startswith("cli") for e in audit_entries(con))


def test_users_cli_never_prompts_without_a_terminal(tmp_path):
    db = str(tmp_path / "qa.duckdb")
    r = _qa(["users", "add", "boss", "--role", "admin", "--db", db], input="")
    assert r.exit_code == 2 and "--password-stdin" in r.output
    r = _qa(["users", "add", "boss", "--role", "admin", "--db", db, "--password-stdin"], input="")
    assert r.exit_code == 2 and "empty" in r.output


@pytest.mark.parametrize("args,message", [
    (["users", "add", "x'; DROP TABLE app_user; --", "--role", "qa", "--password-stdin"], "invalid user name"),
    (["users", "add", "bob", "--role", "agent", "--password-stdin"], "--agent-id"),
    (["users", "add", "bob", "--role", "qa", "--password-stdin"], "too short"),
    (["users", "set-role", "ghost", "qa"], "no user"),
    (["users", "deactivate", "A" * 10_000], "no user"),
])
def test_users_cli_errors_are_one_line(tmp_path, args, message):
    db = str(tmp_path / "qa.duckdb")
    r = _qa(args + ["--db", db], input="short\n")
    assert r.exit_code == 2 and message in r.output and "Traceback" not in r.output
    assert len(r.output) < 400


def test_users_cli_bad_role_lists_choices(tmp_path):
    r = _qa(["users", "add", "bob", "--role", "root", "--db", str(tmp_path / "q.duckdb"), "--password-stdin"])
    assert r.exit_code == 2 and "'admin', 'manager', 'qa', 'trainer', 'team_lead', 'agent'" in r.output
