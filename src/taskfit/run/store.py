"""SQLite store: LLM-call cache, finished units, embeddings, runs.

One file (``store.db``) under ``./.taskfit/`` or ``$TASKFIT_HOME``, in WAL mode so a
reader never blocks the writer. The schema is built by ordered, named migrations; the
``_migrations`` table records which ran, so opening an old store upgrades it.

Everything is content-addressed: an LLM call's key is the sha256 of the canonical JSON of
(backend, model, request, decoding params); a unit's key is :attr:`taskfit.types.Unit.key`.
Each write commits at once, so a process killed at any moment loses at most the call in
flight, and a restart resumes where it stopped.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from taskfit.backends.redact import redact_text
from taskfit.types import UnitResult

__all__ = ["MIGRATIONS", "Store", "default_home"]


def default_home() -> Path:
    """``$TASKFIT_HOME`` if set, else ``./.taskfit``."""
    return Path(os.environ.get("TASKFIT_HOME") or ".taskfit")


def _m001_initial(db: sqlite3.Connection) -> None:
    db.executescript(
        """
        CREATE TABLE llm_calls (
            key TEXT PRIMARY KEY,
            backend TEXT NOT NULL,
            model TEXT NOT NULL,
            kind TEXT NOT NULL,
            response TEXT NOT NULL,
            created REAL NOT NULL
        );
        CREATE TABLE units (
            key TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            unit TEXT NOT NULL,
            result TEXT NOT NULL,
            created REAL NOT NULL
        );
        CREATE TABLE embeddings (
            encoder TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            dim INTEGER NOT NULL,
            vector BLOB NOT NULL,
            PRIMARY KEY (encoder, text_hash)
        );
        CREATE TABLE runs (
            run_id TEXT PRIMARY KEY,
            created REAL NOT NULL,
            status TEXT NOT NULL,
            args TEXT NOT NULL,
            out_dir TEXT
        );
        """
    )


def _m002_web(db: sqlite3.Connection) -> None:
    """Uploads and background jobs of the web UI (see :mod:`taskfit.web.jobs`)."""
    db.executescript(
        """
        CREATE TABLE uploads (
            upload_id TEXT PRIMARY KEY,
            created REAL NOT NULL,
            name TEXT NOT NULL,
            fmt TEXT NOT NULL,
            size INTEGER NOT NULL,
            path TEXT NOT NULL
        );
        CREATE TABLE jobs (
            job_id TEXT PRIMARY KEY,
            created REAL NOT NULL,
            updated REAL NOT NULL,
            status TEXT NOT NULL,
            params TEXT NOT NULL,
            progress TEXT NOT NULL,
            error TEXT,
            run_id TEXT,
            pid INTEGER
        );
        """
    )


# Ordered and named: never edit a released migration, append a new one.
MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = [
    ("001_initial", _m001_initial),
    ("002_web", _m002_web),
]


class Store:
    """The project's persistent state. Thread-safe (one connection, one lock).

    >>> store = Store(Path(tmp) / "store.db")  # doctest: +SKIP
    >>> store.put_call("k", "fake", "m", "score", {"logprobs": [0.0]})  # doctest: +SKIP
    """

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        """Open (create, migrate) the store at ``path``; ``read_only``: open an existing
        store for reading only, beside the process that writes it (a Ray run's cache
        reader; see :mod:`taskfit.run.ray_actors`)."""
        self.path = Path(path)
        self._lock = threading.Lock()
        if read_only:
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._migrate()

    @classmethod
    def open_default(cls) -> Store:
        return cls(default_home() / "store.db")

    def _migrate(self) -> None:
        with self._lock:
            db = self._db
            db.execute(
                "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied REAL)"
            )
            done = {r[0] for r in db.execute("SELECT name FROM _migrations")}
            for name, fn in MIGRATIONS:
                if name in done:
                    continue
                with db:  # one transaction per migration
                    fn(db)
                    db.execute("INSERT INTO _migrations VALUES (?, ?)", (name, time.time()))

    def applied_migrations(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT name FROM _migrations ORDER BY name")]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- LLM calls ---------------------------------------------------------------
    def get_calls(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        with self._lock:
            for chunk in _chunks(list(keys), 500):
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT key, response FROM llm_calls WHERE key IN ({marks})", chunk
                )
                out.update({k: json.loads(v) for k, v in rows})
        return out

    def put_calls(self, rows: Iterable[tuple[str, str, str, str, dict[str, Any]]]) -> None:
        """Insert (key, backend, model, kind, response) rows in one transaction."""
        now = time.time()
        data = [(k, b, m, kind, json.dumps(r), now) for k, b, m, kind, r in rows]
        with self._lock, self._db:
            self._db.executemany("INSERT OR REPLACE INTO llm_calls VALUES (?,?,?,?,?,?)", data)

    def count_calls(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM llm_calls").fetchone()[0])

    # -- units -------------------------------------------------------------------
    def get_unit(self, key: str) -> UnitResult | None:
        with self._lock:
            row = self._db.execute("SELECT result FROM units WHERE key = ?", (key,)).fetchone()
        return UnitResult.from_json(json.loads(row[0])) if row else None

    def put_unit(self, unit_json: dict[str, Any], result: UnitResult) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO units VALUES (?,?,?,?,?)",
                (
                    result.unit_key,
                    result.name,
                    json.dumps(unit_json),
                    json.dumps(result.to_json()),
                    time.time(),
                ),
            )

    # -- embeddings ----------------------------------------------------------------
    def get_embeddings(self, encoder: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        with self._lock:
            for chunk in _chunks(list(hashes), 500):
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    "SELECT text_hash, vector FROM embeddings "
                    f"WHERE encoder = ? AND text_hash IN ({marks})",
                    [encoder, *chunk],
                )
                for h, blob in rows:
                    out[h] = np.frombuffer(blob, dtype=np.float32)
        return out

    def put_embeddings(self, encoder: str, items: dict[str, np.ndarray]) -> None:
        data = [
            (encoder, h, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes())
            for h, v in items.items()
        ]
        with self._lock, self._db:
            self._db.executemany("INSERT OR REPLACE INTO embeddings VALUES (?,?,?,?)", data)

    # -- runs ------------------------------------------------------------------------
    def start_run(self, run_id: str, args: dict[str, Any], out_dir: str) -> None:
        """Record a run's settings; credentials in any URL among them are redacted."""
        recorded = redact_text(json.dumps(args, default=str))
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO runs VALUES (?,?,?,?,?)",
                (run_id, time.time(), "running", recorded, out_dir),
            )

    def finish_run(self, run_id: str, status: str) -> None:
        with self._lock, self._db:
            self._db.execute("UPDATE runs SET status = ? WHERE run_id = ?", (status, run_id))

    def run_status(self, run_id: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT status FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        return str(row[0]) if row else None

    def runs(self, limit: int = 200) -> list[dict[str, Any]]:
        """The latest runs, newest first: run_id, created, status, out_dir."""
        with self._lock:
            rows = self._db.execute(
                "SELECT run_id, created, status, out_dir FROM runs ORDER BY created DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            {"run_id": r[0], "created": float(r[1]), "status": r[2], "out_dir": r[3]} for r in rows
        ]

    def run(self, run_id: str) -> dict[str, Any] | None:
        """One run by id (see :meth:`runs`), or None."""
        with self._lock:
            r = self._db.execute(
                "SELECT run_id, created, status, out_dir FROM runs WHERE run_id = ?", (run_id,)
            ).fetchone()
        return (
            {"run_id": r[0], "created": float(r[1]), "status": r[2], "out_dir": r[3]} if r else None
        )


def _chunks(items: list[str], n: int) -> Iterable[list[str]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]
