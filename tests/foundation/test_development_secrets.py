"""Development secrets (the personal-data key, the token signing key) made once under the data
folder, even when several processes start together and ask at the same instant.

Before, each process that found no key wrote its own and replaced the file: two uvicorn workers
could keep different personal-data keys, so one applicant's ID number hashed differently in each
and the unique index no longer saw the duplicate, or one found the shared temporary file already
moved by the other and answered 500. That made
``tests/workflow/test_concurrency.py::test_six_concurrent_creates_by_one_applicant_make_one_application``
fail now and then (2 in 20 runs of that test alone) when it was the first test of a session to
hash an ID number.
"""

from __future__ import annotations

import multiprocessing
import stat
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.no_database

PROCESSES, TRIALS = 6, 5


def _personal_data_key(data_dir: str, barrier, results) -> None:
    from app.config import Settings
    from app.domain import personal_data

    barrier.wait()
    try:
        results.put(personal_data.key(Settings(environment="test", data_dir=Path(data_dir))).decode())
    except Exception as exc:  # reported to the test, which fails on it
        results.put(f"error: {exc!r}")


def _signing_key(data_dir: str, barrier, results) -> None:
    from cryptography.hazmat.primitives import serialization

    from app.identity import dev_private_key

    barrier.wait()
    try:
        public = dev_private_key(Path(data_dir)).public_key()
        results.put(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex())
    except Exception as exc:
        results.put(f"error: {exc!r}")


def _race(target) -> list[tuple[Path, set[str]]]:
    ctx = multiprocessing.get_context("fork")
    outcomes = []
    for _ in range(TRIALS):
        data_dir = Path(tempfile.mkdtemp(prefix="qaward-secret-"))
        barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
        procs = [ctx.Process(target=target, args=(str(data_dir), barrier, results)) for _ in range(PROCESSES)]
        for p in procs:
            p.start()
        got = {results.get(timeout=60) for _ in procs}
        for p in procs:
            p.join(60)
        outcomes.append((data_dir, got))
    return outcomes


def test_processes_starting_together_share_one_personal_data_key():
    for data_dir, keys in _race(_personal_data_key):
        assert len(keys) == 1, keys
        [key] = keys
        stored = data_dir / "personal-data-key"
        assert stored.read_text().strip() == key and len(key) == 64
        assert stat.S_IMODE(stored.stat().st_mode) == 0o600
        assert sorted(p.name for p in data_dir.iterdir()) == ["personal-data-key"]  # no candidate left behind


def test_processes_starting_together_share_one_signing_key():
    for data_dir, keys in _race(_signing_key):
        assert len(keys) == 1, keys
        assert sorted(p.name for p in data_dir.iterdir()) == ["dev-signing-key.pem"]
        assert stat.S_IMODE((data_dir / "dev-signing-key.pem").stat().st_mode) == 0o600


def test_a_key_already_on_disk_is_kept():
    from app.config import Settings
    from app.domain import personal_data

    data_dir = Path(tempfile.mkdtemp(prefix="qaward-secret-"))
    (data_dir / "personal-data-key").write_text("k" * 64 + "\n")
    assert personal_data.key(Settings(environment="test", data_dir=data_dir)) == b"k" * 64
