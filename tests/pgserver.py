"""A throwaway PostgreSQL server for the tests: Debian's binaries, a temporary directory,
a free port on 127.0.0.1, run as the `postgres` user (the server refuses to run as root)."""

from __future__ import annotations

import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass


def _bindir() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PgServer:
    directory: str
    port: int
    bindir: str
    as_user: list[str]
    # PostgreSQL 15+ copies a small database several times faster with FILE_COPY than with
    # its default WAL_LOG (this server runs without fsync, so the checkpoint is cheap).
    createdb_options: tuple[str, ...] = ()

    @property
    def base_url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}"

    def create_database(self, name: str) -> str:
        subprocess.run(
            [
                *self.as_user,
                f"{self.bindir}/createdb",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                *self.createdb_options,
                name,
            ],
            check=True,
            capture_output=True,
        )
        return f"{self.base_url}/{name}"

    def stop(self) -> None:
        subprocess.run(
            [
                *self.as_user,
                f"{self.bindir}/pg_ctl",
                "-D",
                f"{self.directory}/data",
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
        )
        shutil.rmtree(self.directory, ignore_errors=True)


def start_pg() -> PgServer:
    bindir = _bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries not found: apt-get install postgresql")
    directory = tempfile.mkdtemp(prefix="gongshi-pg-")
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run(
        [
            *as_user,
            f"{bindir}/initdb",
            "-D",
            f"{directory}/data",
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
        ],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [
            *as_user,
            f"{bindir}/pg_ctl",
            "-D",
            f"{directory}/data",
            "-o",
            options,
            "-l",
            f"{directory}/log",
            "-w",
            "-t",
            "60",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    version = subprocess.run(
        [f"{bindir}/pg_ctl", "--version"], check=True, capture_output=True, text=True
    ).stdout
    major = int(re.search(r"PostgreSQL\) (\d+)", version).group(1))  # type: ignore[union-attr]
    options_15 = ("--strategy=file_copy",) if major >= 15 else ()
    server = PgServer(directory, port, bindir, as_user, options_15)
    for _ in range(100):
        ready = subprocess.run(
            [f"{bindir}/pg_isready", "-h", "127.0.0.1", "-p", str(port)], capture_output=True
        )
        if ready.returncode == 0:
            return server
        time.sleep(0.1)
    server.stop()
    raise RuntimeError("PostgreSQL did not start")
