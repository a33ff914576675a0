"""Sharing out the review work, coaching playlists and quality targets.

Like :mod:`qa_pipeline.review.reviews`, each function takes a read-write connection and starts no
transaction; the dashboard applies them durably through :func:`qa_pipeline.review.writes.write`.
"""
from __future__ import annotations

import json
from typing import Any, Optional, Sequence

import duckdb

from qa_pipeline.privacy import sessions
from qa_pipeline.privacy.access import audit
from qa_pipeline.review.actions import ReviewError, action_time, new_id
from qa_pipeline.store import call_facts

ASSIGN_MODES = ("team", "turn")
TARGET_SCOPES = ("centre", "team", "agent")
TARGET_METRICS = ("score", "pass_rate", "flagged_rate")
DEFAULT_SAMPLE_SHARE = 0.02


def get_setting(con: duckdb.DuckDBPyConnection, key: str, default: Any = None) -> Any:
    row = con.execute("SELECT value FROM setting_store WHERE key = ?", [key]).fetchone()
    return json.loads(row[0]) if row and row[0] is not None else default


def set_setting(con: duckdb.DuckDBPyConnection, key: str, value: Any, *, actor: str, at: Optional[str] = None) -> None:
    if key == "sample_share" and not (isinstance(value, (int, float)) and 0 <= value <= 1):
        raise ReviewError(f"sample_share is a fraction between 0 and 1 (e.g. 0.02 for 2 %), got {value!r}")
    con.execute("DELETE FROM setting_store WHERE key = ?", [key])
    con.execute("INSERT INTO setting_store VALUES (?, ?)", [key, json.dumps(value)])
    audit(con, actor, "setting.set", key, {"value": value})


def qa_specialists(con: duckdb.DuckDBPyConnection) -> list[tuple[str, Optional[str]]]:
    """Active QA specialists as ``(username, team they cover or None)``."""
    return con.execute("SELECT username, team FROM app_user WHERE role = 'qa' AND coalesce(active, TRUE) "
                       "ORDER BY username").fetchall()


def assign_queue(con: duckdb.DuckDBPyConnection, *, by: str = "team", sample_share: Optional[float] = None,
                 specialists: Optional[Sequence[tuple[str, Optional[str]]]] = None, actor: str = "system",
                 seed: str = "qa-sample", at: Optional[str] = None) -> dict[str, int]:
    """Share out the calls not yet queued or reviewed among the QA specialists.

    Every flagged call enters a queue, and a random ``sample_share`` of the unflagged ones
    (default: the ``sample_share`` setting, else 2 %) so the calls the automation passed
    wrongly get found. The sample is drawn by a hash of the call id, so it is reproducible
    and a call is drawn or not once and for all. ``by="team"``: a call goes to the
    specialists covering its team (``app_user.team``), in turn, and to everyone in turn
    where no one covers the team; ``by="turn"``: to everyone in turn, least loaded first.
    Returns the number of calls queued per reason.
    """
    if by not in ASSIGN_MODES:
        raise ReviewError(f"assign by {by!r}? use one of {', '.join(ASSIGN_MODES)}")
    if sample_share is None:
        sample_share = float(get_setting(con, "sample_share", DEFAULT_SAMPLE_SHARE))
    if not 0 <= sample_share <= 1:
        raise ReviewError(f"sample share is a fraction between 0 and 1, got {sample_share}")
    people = list(specialists) if specialists is not None else qa_specialists(con)
    if not people:
        raise ReviewError("no QA specialists to share calls with: add users with role 'qa' first")
    load = dict(con.execute("SELECT assignee, count(*) FROM queue_store GROUP BY assignee").fetchall())
    people.sort(key=lambda p: (load.get(p[0], 0), p[0]))
    names = [p[0] for p in people]
    teams = [p[1] if by == "team" else None for p in people]
    rows = con.execute(
        """
        WITH latest AS (
            SELECT call_id, flagged FROM result_store
            QUALIFY row_number() OVER (PARTITION BY call_id ORDER BY scored_at DESC) = 1),
        spec AS (SELECT unnest(?) AS username, unnest(?) AS team, unnest(range(len(?))) AS idx),
        team_spec AS (
            SELECT username, team, row_number() OVER (PARTITION BY team ORDER BY idx) - 1 AS k,
                   count(*) OVER (PARTITION BY team) AS m
            FROM spec WHERE team IS NOT NULL),
        cand AS (
            SELECT c.call_id, c.started_at, CASE WHEN l.flagged THEN 'flagged' ELSE 'sample' END AS reason,
                   CASE WHEN c.team IN (SELECT team FROM team_spec) THEN c.team END AS queue_team
            FROM call_store c JOIN latest l USING (call_id)
            WHERE c.status = 'done'
              AND NOT EXISTS (SELECT 1 FROM queue_store q WHERE q.call_id = c.call_id)
              AND NOT EXISTS (SELECT 1 FROM review_store r WHERE r.call_id = c.call_id)
              AND (l.flagged OR hash(c.call_id || ?) % 10000 < ?)),
        numbered AS (
            SELECT *, row_number() OVER (PARTITION BY queue_team ORDER BY started_at, call_id) - 1 AS r FROM cand)
        SELECT n.call_id, coalesce(ts.username, s.username), n.reason
        FROM numbered n
        LEFT JOIN team_spec ts ON ts.team = n.queue_team AND ts.k = n.r % ts.m
        LEFT JOIN spec s ON n.queue_team IS NULL AND s.idx = n.r % (SELECT count(*) FROM spec)
        """,
        [names, teams, names, seed, int(round(sample_share * 10000))],
    ).fetchall()
    when = action_time(at)
    if rows:
        con.executemany("INSERT INTO queue_store VALUES (?, ?, ?, ?)", [[c, who, why, when] for c, who, why in rows])
        call_facts.refresh_queue(con, [c for c, _, _ in rows])
    counts = {"flagged": sum(r[2] == "flagged" for r in rows), "sample": sum(r[2] == "sample" for r in rows)}
    audit(con, actor, "queue.assign", "", {"by": by, "sample_share": sample_share, **counts})
    return counts


def reassign(con: duckdb.DuckDBPyConnection, call_id: str, assignee: str, *, actor: str,
             at: Optional[str] = None) -> None:
    """Move one queued call to another specialist."""
    if con.execute("UPDATE queue_store SET assignee = ?, assigned_at = ? WHERE call_id = ? RETURNING 1",
                   [assignee, action_time(at), call_id]).fetchone() is None:
        raise ReviewError(f"call {call_id} is not in any review queue")
    call_facts.refresh_queue(con, [call_id])
    audit(con, actor, "queue.reassign", call_id, {"assignee": assignee})


def create_playlist(con: duckdb.DuckDBPyConnection, name: str, *, owner: str, description: Optional[str] = None,
                    playlist_id: Optional[str] = None, at: Optional[str] = None) -> str:
    """A named collection of clips, e.g. "complaint handling — good examples". Returns its id."""
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ReviewError("a playlist needs a name of 1 to 200 characters")
    playlist_id = playlist_id or new_id("playlist")
    con.execute("INSERT INTO playlist_store VALUES (?, ?, ?, ?, ?)",
                [playlist_id, name, owner, description, action_time(at)])
    audit(con, owner, "playlist.create", playlist_id, {"name": name})
    return playlist_id


def add_clip(con: duckdb.DuckDBPyConnection, playlist_id: str, call_id: str, *, added_by: str,
             check_id: Optional[str] = None, start: Optional[float] = None, end: Optional[float] = None,
             note: Optional[str] = None, clip_id: Optional[str] = None, at: Optional[str] = None) -> str:
    """Add a stretch of a call (``start``..``end`` seconds; None for calls without times) to a playlist."""
    if con.execute("SELECT 1 FROM playlist_store WHERE playlist_id = ?", [playlist_id]).fetchone() is None:
        raise ReviewError(f"no playlist {playlist_id}")
    if con.execute("SELECT 1 FROM call_store WHERE call_id = ?", [call_id]).fetchone() is None:
        raise ReviewError(f"no call {call_id}")
    if start is not None and end is not None and end < start:
        raise ReviewError(f"a clip ends after it starts (got {start}..{end} s)")
    clip_id = clip_id or new_id("clip")
    con.execute("INSERT INTO playlist_clip_store VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [clip_id, playlist_id, call_id, check_id, start, end, note, added_by, action_time(at)])
    audit(con, added_by, "playlist.add_clip", playlist_id, {"clip_id": clip_id, "call_id": call_id, "check_id": check_id})
    return clip_id


def remove_clip(con: duckdb.DuckDBPyConnection, clip_id: str, *, actor: str, at: Optional[str] = None) -> None:
    con.execute("DELETE FROM playlist_clip_store WHERE clip_id = ?", [clip_id])
    audit(con, actor, "playlist.remove_clip", clip_id, {})


def set_target(con: duckdb.DuckDBPyConnection, scope: str, scope_id: str, metric: str, target: float, *,
               set_by: str, at: Optional[str] = None) -> None:
    """A quality target, e.g. ``set_target(con, "team", "Team A", "score", 85, set_by="wang.mgr")``.

    ``score`` is the average score (0–100), ``pass_rate`` and ``flagged_rate`` are fractions.
    """
    if scope not in TARGET_SCOPES:
        raise ReviewError(f"target scope {scope!r}? use one of {', '.join(TARGET_SCOPES)}")
    if metric not in TARGET_METRICS:
        raise ReviewError(f"target metric {metric!r}? use one of {', '.join(TARGET_METRICS)}")
    upper = 100 if metric == "score" else 1
    if not 0 <= float(target) <= upper:
        raise ReviewError(f"a {metric} target is between 0 and {upper}, got {target}")
    scope_id = "" if scope == "centre" else (scope_id or "")
    con.execute("DELETE FROM target_store WHERE scope = ? AND scope_id = ? AND metric = ?", [scope, scope_id, metric])
    con.execute("INSERT INTO target_store VALUES (?, ?, ?, ?, ?, ?)",
                [scope, scope_id, metric, float(target), set_by, action_time(at)])
    audit(con, set_by, "target.set", f"{scope}:{scope_id}", {"metric": metric, "target": target})


# The actions above that the dashboard applies by name (qa_pipeline.review.writes).
ADMIN_WRITES = {
    "set_setting": set_setting,
    "assign_queue": assign_queue,
    "reassign": reassign,
    "create_playlist": create_playlist,
    "add_clip": add_clip,
    "remove_clip": remove_clip,
    "set_target": set_target,
    "ensure_session_secret": sessions.ensure_secret,
    "end_session": sessions.revoke,
}
