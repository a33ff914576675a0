"""store.connect retries an open that read the file short ("Could not read enough bytes": DuckDB's
pread past the end while another process was writing the file), within its deadline, and then says
what to do. The fault is forced at the model boundary (duckdb.connect); the database opened is real."""
from __future__ import annotations

import time

import duckdb
import pytest

from qa_pipeline.store import database, migrations
from qa_pipeline.store import database as store

SHORT = 'IO Error: Could not read enough bytes from file "{}": attempted to read 4096 bytes from location 8192'


def flaky_connect(monkeypatch, failures: int | None):
    """duckdb.connect failing with a short read ``failures`` times (None: always), then opening."""
    real = duckdb.connect
    tries = []

    def connect(path, *args, **kwargs):
        tries.append(path)
        if failures is None or len(tries) <= failures:
            raise duckdb.IOException(SHORT.format(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(database.duckdb, "connect", connect)
    return tries


def test_a_short_read_on_open_is_retried_and_the_database_opens(tmp_path, monkeypatch):
    db = tmp_path / "qa.duckdb"
    store.connect(db).close()
    tries = flaky_connect(monkeypatch, failures=2)
    con = store.connect(db, wait_seconds=10)
    try:
        assert migrations.current_version(con) == migrations.latest_version()
    finally:
        con.close()
    assert len(tries) == 3


def test_a_file_that_stays_short_is_refused_soon_with_what_to_do(tmp_path, monkeypatch):
    db = tmp_path / "qa.duckdb"
    store.connect(db).close()
    tries = flaky_connect(monkeypatch, failures=None)
    monkeypatch.setattr(database, "SHORT_READ_SECONDS", 0.4)
    began = time.monotonic()
    with pytest.raises(store.StoreError) as exc:
        store.connect(db, wait_seconds=30)
    assert time.monotonic() - began < 5  # the short-read window, not the 30 s lock wait
    msg = str(exc.value)
    assert str(db) in msg and "still reads short" in msg and "damaged" in msg and ".bak" in msg
    assert len(tries) >= 2


def test_other_io_errors_are_not_retried(tmp_path, monkeypatch):
    db = tmp_path / "qa.duckdb"
    tries = []

    def connect(path, *args, **kwargs):
        tries.append(path)
        raise duckdb.IOException(f'IO Error: Cannot open file "{path}": Permission denied')

    monkeypatch.setattr(database.duckdb, "connect", connect)
    with pytest.raises(store.StoreError, match="cannot open the database"):
        store.connect(db, wait_seconds=10)
    assert len(tries) == 1
