"""Debian's nginx in front of the bot processes: a generated configuration in a temporary
directory (pid, logs and temporary files there too), in the foreground, on a free port. The
access log names the upstream that took each request."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

CONFIG = """\
{user}
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 512; }}
http {{
    log_format upstreams '$upstream_addr $status';
    access_log {folder}/access.log upstreams;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    upstream bots {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location {path} {{
            proxy_pass http://bots;
            proxy_set_header Host $host;
            proxy_next_upstream error timeout;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
        }}
    }}
}}
"""


def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if os.access(p, os.X_OK)), None
    )


@dataclass
class Nginx:
    binary: str
    folder: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    def start(self, upstreams: list[int], path: str) -> None:
        servers = "\n".join(
            f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in upstreams
        )
        # As root the workers would run as nobody, who cannot write the temporary directory.
        user = "user root;" if os.geteuid() == 0 else ""
        config = self.folder / "nginx.conf"
        config.write_text(
            CONFIG.format(user=user, folder=self.folder, servers=servers, port=self.port, path=path)
        )
        self.process = subprocess.Popen(
            [
                self.binary,
                "-e",
                str(self.folder / "error.log"),
                "-p",
                str(self.folder),
                "-c",
                str(config),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(100):
            if (self.folder / "nginx.pid").exists():
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx did not start: {self.process.stderr.read().decode()}")  # type: ignore[union-attr]
            time.sleep(0.05)
        raise RuntimeError("nginx did not start")

    def upstreams(self) -> Counter[str]:
        """Requests answered 200, by the upstream that answered them."""
        taken: Counter[str] = Counter()
        for line in (self.folder / "access.log").read_text().splitlines():
            addresses, _, status = line.rpartition(" ")
            if status == "200":
                taken[addresses.split(", ")[-1]] += 1
        return taken

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
