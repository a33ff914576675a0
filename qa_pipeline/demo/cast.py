"""The demo centre's cast: its teams, agents and sign-in users, what the script put into each
call, and the summary of a built centre. Shared by :mod:`qa_pipeline.demo.centre` (which
builds the calls) and :mod:`qa_pipeline.demo.activity` (which adds the people's work).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from qa_pipeline.demo.dialogues import Habits, Persona

__all__ = ["CENTRE", "OPERATIONS_MANAGER", "TEAMS", "TeamPlan", "DemoAgent", "CallTruth", "DemoUser",
           "CentreSummary"]

CENTRE = "华东客服中心"
OPERATIONS_MANAGER = "周立新"


@dataclass(frozen=True)
class TeamPlan:
    name: str
    language: str
    lead: str
    size: int
    id_prefix: str
    habits: Habits  # the team's usual habits; each agent varies around them
    ring_mean: float  # mean seconds of ringing at peak hours (queue load)
    complaint_rate: float


TEAMS: tuple[TeamPlan, ...] = (
    TeamPlan("热线一组", "zh", "陈静", 14, "A11", Habits(), 6.0, 0.10),
    TeamPlan("售后二组", "zh", "刘洋", 13, "A12", Habits().scaled(1.4).with_(no_more_help=0.14, no_contact=0.2),
             8.5, 0.16),
    TeamPlan("English Line", "en", "Megan Clarke", 13, "E31", Habits().with_(bad_closing=0.1, no_confirm=0.1),
             5.0, 0.11),
)


@dataclass(frozen=True)
class DemoAgent:
    persona: Persona
    team: str
    language: str
    hire_date: date
    habits: Habits
    coached_on: Optional[date] = None  # from this day on the agent's habits improve

    @property
    def agent_id(self) -> str:
        return self.persona.agent_id

    @property
    def name(self) -> str:
        return self.persona.name

    def habits_on(self, day: date) -> Habits:
        """The agent's habits on ``day``: rough in the first weeks, better after coaching."""
        habits = self.habits
        weeks = (day - self.hire_date).days / 7
        if weeks < 20:
            habits = habits.scaled(1 + 3.0 * math.exp(-max(weeks, 0) / 3))
        if self.coached_on and day >= self.coached_on:
            habits = habits.scaled(0.3)
        return habits


@dataclass(frozen=True)
class CallTruth:
    """What the script put into a call: what a careful QA specialist would find."""

    defects: tuple[str, ...]
    complaint: bool
    account: bool
    ring_seconds: Optional[float]


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    display_name: str
    team: Optional[str] = None
    agent_id: Optional[str] = None


@dataclass(frozen=True)
class CentreSummary:
    centre: str
    teams: tuple[str, ...]
    agents: int
    new_hires: int
    calls: int
    calls_by_language: dict[str, int]
    first_day: date
    last_day: date
    scored: bool
    flagged: int
    audio_calls: int
    audio_dir: Optional[str] = None
    reviews: int = 0
    disputes: int = 0
    targets: int = 0
    users: tuple[DemoUser, ...] = ()
    password: Optional[str] = None
    seconds: float = 0.0
    notes: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        langs = ", ".join(f"{n} {lang}" for lang, n in sorted(self.calls_by_language.items()))
        lines = [
            f"Demo centre {self.centre}: {self.agents} agents in {len(self.teams)} teams ({', '.join(self.teams)}), "
            f"{self.new_hires} hired in the last weeks.",
            f"{self.calls} calls ({langs}) from {self.first_day} to {self.last_day}; "
            + (f"{self.flagged} flagged for review." if self.scored else "not scored."),
        ]
        if self.audio_calls:
            lines.append(f"{self.audio_calls} English calls rendered to telephone audio in {self.audio_dir} "
                         "(Mandarin calls are transcripts only: espeak-ng's Mandarin voice is not usable).")
        if self.reviews or self.disputes or self.targets:
            lines.append(f"{self.reviews} calls reviewed, {self.disputes} disputes, {self.targets} quality targets.")
        if self.users:
            lines.append(f"Sign in with any of these users, password {self.password!r}:")
            width = max(len(u.username) for u in self.users)
            for u in self.users:
                scope = f" ({u.team or u.agent_id})" if (u.team or u.agent_id) else ""
                lines.append(f"  {u.username.ljust(width)}  {u.role:<9} {u.display_name}{scope}")
        lines.extend(f"note: {n}" for n in self.notes)
        lines.append(f"Built in {self.seconds:.1f} s.")
        return "\n".join(lines)
