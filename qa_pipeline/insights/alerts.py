"""The alerts the dashboard shows, to whom (alerts are raised and sent by :mod:`qa_pipeline.alerts`).

An alert is for the call's team: its team lead sees the alerts of their team, a QA specialist
those of the team they cover (their user's ``team``) and of teams no specialist covers; a
specialist with no team, managers and admins see every alert. Agents and trainers see none.

    rows = alerts_for("qa.duckdb", Viewer.of(user), specialist_team=user.team)
"""
from __future__ import annotations

import os
from typing import Optional

import polars as pl

from qa_pipeline.insights.filters import scope_clause
from qa_pipeline.privacy.access import Viewer
from qa_pipeline.store.journal import read

__all__ = ["ALERT_ROLES", "alerts_for"]

ALERT_ROLES = frozenset({"admin", "manager", "qa", "team_lead"})

_EMPTY = {"raised_at": pl.Datetime("us", "UTC"), "rule_id": pl.String, "title": pl.String, "call_id": pl.String,
          "team": pl.String, "agent_id": pl.String, "agent_name": pl.String, "score": pl.Float64,
          "reasons": pl.List(pl.String), "email": pl.String, "webhook": pl.String}


def alerts_for(db: str | os.PathLike, viewer: Viewer, *, specialist_team: Optional[str] = None,
               open_only: bool = False, limit: int = 200) -> pl.DataFrame:
    """The newest alerts ``viewer`` is to see (at most ``limit``), with each outward delivery's
    state (``sent``, ``pending`` with its tries, ``failed``; empty when the channel is not used).

    ``specialist_team``: for a QA specialist, the team their user covers. ``open_only``: only
    alerts of calls nobody has reviewed yet.
    """
    if viewer.role not in ALERT_ROLES:
        return pl.DataFrame(schema=_EMPTY)
    where, params = scope_clause(viewer)
    clauses, args = ["TRUE"], list(params)
    if viewer.role == "qa" and specialist_team:
        clauses.append("(c.team = ? OR c.team IS NULL OR c.team NOT IN (SELECT team FROM app_user "
                       "WHERE role = 'qa' AND active AND team IS NOT NULL))")
        args.append(specialist_team)
    if open_only:
        clauses.append("NOT EXISTS (SELECT 1 FROM review_store v WHERE v.call_id = a.call_id)")
    args.append(max(1, int(limit)))
    return read(db, f"""
        SELECT a.raised_at, a.rule_id, a.title, a.call_id, c.team, c.agent_id, c.agent_name, a.score, a.reasons,
               {_state('email')} AS email, {_state('webhook')} AS webhook
        FROM alert_store a
        JOIN (SELECT call_id, team, agent_id, agent_name FROM call_store WHERE {where}) c ON c.call_id = a.call_id
        WHERE {' AND '.join(clauses)}
        ORDER BY a.raised_at DESC, a.call_id, a.rule_id
        LIMIT ?""", args)


def _state(channel: str) -> str:
    # channel is one of two fixed names, never user input
    return (f"(SELECT CASE WHEN d.status = 'pending' AND d.attempts > 0 "
            f"THEN 'retrying (' || d.attempts || ' tries)' ELSE d.status END "
            f"FROM alert_delivery_store d WHERE d.alert_id = a.alert_id AND d.channel = '{channel}')")
