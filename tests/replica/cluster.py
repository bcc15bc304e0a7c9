"""A real primary and its streaming replica (流复制备库), started from PostgreSQL's own binaries.

The primary is initdb'd in a temporary folder (not the suite's shared server: a base backup of it
would copy every test database, and a ``TEST_DATABASE_URL`` server may allow no replication), with
``wal_level=replica`` and trust for local replication connections; the standby is
``pg_basebackup -R -X stream`` of it, started on another port. Both listen on a Unix socket only.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2

NEEDED = ("initdb", "pg_ctl", "pg_basebackup", "postgres")


def binaries() -> Path | None:
    """The folder of a PostgreSQL build with everything a replica needs: pgserver's, else the machine's."""
    candidates: list[Path] = []
    try:
        from pgserver._commands import POSTGRES_BIN_PATH

        candidates.append(Path(POSTGRES_BIN_PATH))
    except ImportError:
        pass
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for c in candidates:
        if all((c / n).exists() for n in NEEDED):
            return c
    return None


def _system_user() -> str | None:
    """PostgreSQL refuses to run as root: as pgserver does, run it as an ordinary user then."""
    if os.geteuid() != 0:
        return None
    import stat

    from pgserver.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

    ensure_user_exists("pgserver")
    bin_dir = binaries()
    assert bin_dir is not None
    # the ordinary user must reach and run the binaries and their libraries (as pgserver arranges it)
    ensure_prefix_permissions(bin_dir)
    ensure_folder_permissions(bin_dir, stat.S_IXGRP | stat.S_IXOTH | stat.S_IRGRP | stat.S_IROTH)
    if (bin_dir.parent / "lib").exists():
        ensure_folder_permissions(bin_dir.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
    return "pgserver"


@dataclass
class Cluster:
    bin: Path
    base: Path
    user: str | None
    primary_port: int = 6401
    standby_port: int = 6402
    started: list[Path] = field(default_factory=list)

    def run(self, name: str, *args: str, timeout: float = 120) -> None:
        subprocess.run(
            [str(self.bin / name), *args],
            check=True,
            user=self.user,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=timeout,
        )

    def dsn(self, port: int, db: str = "postgres") -> str:
        return f"host={self.base} port={port} user=postgres dbname={db}"

    def url(self, port: int, db: str) -> str:
        return f"postgresql://postgres@:{port}/{db}?host={self.base}"

    def start(self, data: Path) -> None:
        self.run("pg_ctl", "-D", str(data), "-l", str(self.base / f"{data.name}.log"), "-w", "-t", "60", "start")
        self.started.append(data)

    def stop(self) -> None:
        for data in reversed(self.started):
            subprocess.run(
                [str(self.bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                user=self.user,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=60,
            )
        self.started.clear()
        shutil.rmtree(self.base, ignore_errors=True)

    def sql(self, port: int, statement: str, db: str = "qaward", args: tuple = ()):
        conn = psycopg2.connect(self.dsn(port, db))
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(statement, args)
                return cur.fetchall() if cur.description else None
        finally:
            conn.close()

    def log_tail(self) -> str:
        return "\n".join(
            f"--- {p.name}\n" + p.read_text(errors="replace")[-1500:] for p in sorted(self.base.glob("*.log"))
        )


def start_pair(database: str = "qaward") -> Cluster:
    """A primary with ``database`` created, and its streaming standby, both running."""
    bin_dir = binaries()
    assert bin_dir is not None
    user = _system_user()
    # a short path: a Unix socket's path is limited to ~100 bytes
    base = Path(tempfile.mkdtemp(prefix="qr-", dir="/tmp"))
    if user is not None:
        shutil.chown(base, user)
    cluster = Cluster(bin_dir, base, user)
    primary, standby = base / "primary", base / "standby"
    try:
        cluster.run("initdb", "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "utf8", "--no-sync")
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(
                "\nlisten_addresses = ''\n"
                f"unix_socket_directories = '{base}'\n"
                f"port = {cluster.primary_port}\n"
                "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\nfsync = off\n"
            )
        # initdb's pg_hba.conf trusts local replication connections already; said again, so it never depends on a default
        with (primary / "pg_hba.conf").open("a") as hba:
            hba.write("\nlocal replication all trust\n")
        cluster.start(primary)
        cluster.sql(cluster.primary_port, f'CREATE DATABASE "{database}"', db="postgres")
        cluster.run(
            "pg_basebackup",
            "-h",
            str(base),
            "-p",
            str(cluster.primary_port),
            "-U",
            "postgres",
            "-D",
            str(standby),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
            "--no-sync",
        )
        with (standby / "postgresql.conf").open("a") as conf:
            conf.write(f"\nport = {cluster.standby_port}\n")
        cluster.start(standby)
        deadline = time.time() + 30
        while not cluster.sql(cluster.standby_port, "SELECT pg_is_in_recovery()", db="postgres")[0][0]:
            if time.time() > deadline:
                raise RuntimeError("the standby is not in recovery")
            time.sleep(0.2)
    except Exception as exc:
        tail = cluster.log_tail()
        cluster.stop()
        stderr = getattr(exc, "stderr", b"") or b""
        raise RuntimeError(f"replication pair did not start: {exc} {stderr.decode(errors='replace')}\n{tail}") from exc
    return cluster


def wait_replayed(cluster: Cluster, timeout: float = 30) -> None:
    """Until the standby has replayed everything the primary has written."""
    lsn = cluster.sql(cluster.primary_port, "SELECT pg_current_wal_lsn()::text")[0][0]
    deadline = time.time() + timeout
    while not cluster.sql(cluster.standby_port, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", args=(lsn,))[0][0]:
        if time.time() > deadline:
            raise AssertionError("the standby did not catch up")
        time.sleep(0.05)


def pause_replay(cluster: Cluster) -> None:
    cluster.sql(cluster.standby_port, "SELECT pg_wal_replay_pause()")
    deadline = time.time() + 30
    while cluster.sql(cluster.standby_port, "SELECT pg_get_wal_replay_pause_state()")[0][0] != "paused":
        if time.time() > deadline:
            raise AssertionError("replay did not pause")
        time.sleep(0.05)


def resume_replay(cluster: Cluster) -> None:
    cluster.sql(cluster.standby_port, "SELECT pg_wal_replay_resume()")
