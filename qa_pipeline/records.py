"""Typed records that flow through the pipeline.

Everything between the edges (audio files, JSON, DuckDB) is one of these frozen
dataclasses. Serialise only at the edges: :mod:`qa_pipeline.store.database` and
:mod:`qa_pipeline.transcript_io`.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Callable, Literal, Optional

Outcome = Literal["pass", "fail", "na"]

SPEAKERS: tuple[str, ...] = ("agent", "customer", "other_agent", "unknown")
AGENT_SPEAKERS: frozenset[str] = frozenset({"agent", "other_agent"})


@dataclass(frozen=True)
class Word:
    """One recognised word (or Chinese character group) with its times in seconds."""

    start: float
    end: float
    text: str
    probability: Optional[float] = None
    speaker: str = "unknown"


@dataclass(frozen=True)
class Turn:
    """One speaker's stretch of speech: ends when another speaker starts or at a pause.

    ``start``/``end`` are ``None`` for transcripts without times (e.g. a chat log).
    """

    speaker: str
    start: Optional[float]
    end: Optional[float]
    text: str
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class SpeakerSegment:
    """Who spoke when in a mono call: one diarization turn (label e.g. ``SPEAKER_00``)."""

    start: float
    end: float
    label: str


@dataclass(frozen=True)
class Audio:
    """A decoded recording: float32 samples per channel at ``sample_rate``."""

    path: str
    sha256: str
    sample_rate: int  # of ``channels`` below (16 kHz after decoding)
    source_sample_rate: int  # as stored in the file
    duration: float
    channels: tuple[Any, ...]  # numpy float32 arrays, one per channel

    @property
    def channel_count(self) -> int:
        return len(self.channels)


@dataclass(frozen=True)
class CallInfo:
    """What is known about a call before its words: identity, people, metadata."""

    call_id: str
    source_path: Optional[str] = None
    agent_id: Optional[str] = None
    agent_name: Optional[str] = None
    team: Optional[str] = None
    started_at: Optional[str] = None  # ISO 8601
    metadata: dict[str, Any] = field(default_factory=dict)
    language: Optional[str] = None  # forced language, or None for auto

    @property
    def ring_seconds(self) -> Optional[float]:
        value = self.metadata.get("ring_seconds")
        if value in (None, ""):
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            return None


@dataclass(frozen=True)
class SideCoverage:
    """How much of one side's speech-like audio the recogniser turned into words
    (:mod:`qa_pipeline.speech.activity`); ``speaker`` is "unknown" for a mono call."""

    speaker: str
    speech_seconds: float
    untranscribed_seconds: float

    @property
    def share_untranscribed(self) -> float:
        return self.untranscribed_seconds / self.speech_seconds if self.speech_seconds > 0 else 0.0


@dataclass(frozen=True)
class Call:
    """A call with its speaker-attributed transcript: what the rubrics score."""

    info: CallInfo
    language: str
    turns: tuple[Turn, ...]
    sha256: Optional[str] = None
    duration: Optional[float] = None
    channels: Optional[int] = None
    sample_rate: Optional[int] = None
    source: str = "audio"  # "audio" | "import"
    asr_model: Optional[str] = None
    role_confidence: Optional[float] = None  # None: roles came from channels or the import
    role_note: Optional[str] = None
    roles_uncertain: bool = False  # mono call whose agent/customer decision needs a person
    redacted: bool = False
    coverage: tuple[SideCoverage, ...] = ()  # per side, from audio; () for imports

    @property
    def call_id(self) -> str:
        return self.info.call_id

    @property
    def has_times(self) -> bool:
        return bool(self.turns) and all(t.start is not None and t.end is not None for t in self.turns)


@dataclass(frozen=True)
class Evidence:
    """The quoted words behind a finding, who said them and when."""

    text: str
    speaker: Optional[str] = None
    start: Optional[float] = None
    end: Optional[float] = None


@dataclass(frozen=True)
class Finding:
    """One rubric check's answer for one call."""

    check_id: str
    outcome: Outcome
    evidence: Optional[Evidence] = None
    rule: Optional[str] = None  # which rule matched, or why it failed
    critical: bool = False
    weight: float = 0.0
    confidence: Optional[float] = None  # a learned judgement's probability of its answer; None: rules alone
    unsure: bool = False  # a learned judgement inside its uncertainty band: the call is flagged for review


@dataclass(frozen=True)
class CallMetrics:
    """Conversation metrics computed from turn/word times."""

    agent_talk_seconds: Optional[float] = None
    customer_talk_seconds: Optional[float] = None
    talk_ratio: Optional[float] = None  # agent / (agent + customer)
    longest_silence_seconds: Optional[float] = None
    silences_over_5s: Optional[int] = None
    agent_talkovers: Optional[int] = None
    speech_rate: Optional[float] = None  # chars/min (zh) or words/min (en), agent
    speech_rate_unit: Optional[str] = None
    first_agent_words_seconds: Optional[float] = None
    customer_sentiment: Optional[float] = None  # -1 .. 1


@dataclass(frozen=True)
class CallResult:
    """A call scored against one rubric version."""

    call_id: str
    rubric_id: str
    rubric_version: str
    score: float
    flagged: bool
    flag_reasons: tuple[str, ...]
    findings: tuple[Finding, ...]
    complaint: bool = False
    metrics: CallMetrics = field(default_factory=CallMetrics)
    # The centre's item-model version of the learned judgements that scored it (qa calibrate);
    # 0: the models trained on the exemplar banks alone (or the learned judgements off).
    model_version: int = 0


@dataclass(frozen=True)
class CallFailure:
    """A call that could not be processed, with a reason a person understands."""

    call_id: str
    source_path: Optional[str]
    reason: str
    sha256: Optional[str] = None


def maker(cls: type) -> Callable[..., Any]:
    """A faster constructor of a record for the scoring loop: ``maker(Finding)(*values)`` is
    the same object as ``Finding(*values)`` with every field given in order, made without the
    frozen ``__init__``'s one ``object.__setattr__`` per field (about half the cost; dozens
    are made per call scored). Only for records without ``__post_init__`` or slots."""
    if hasattr(cls, "__post_init__") or hasattr(cls, "__slots__"):
        raise TypeError(f"{cls.__name__} checks its fields or has slots: use its constructor")
    names = tuple(f.name for f in fields(cls))
    new = object.__new__

    def make(*values: Any) -> Any:
        obj = new(cls)
        obj.__dict__.update(zip(names, values))
        return obj

    make.__doc__ = f"{cls.__name__}(*values), every field given in order"
    return make
