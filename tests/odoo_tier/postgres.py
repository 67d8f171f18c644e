"""A throw-away PostgreSQL cluster on 127.0.0.1 for one test run.

PostgreSQL refuses to run as root, so when we are root the cluster belongs to the
``postgres`` system user and commands run through ``runuser``.
"""
from __future__ import annotations

import glob
import logging
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field

_logger = logging.getLogger(__name__)

DB_USER = "odoo"


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if not candidates:
        raise RuntimeError(f"PostgreSQL's {name} not found: install Debian's postgresql package")
    return candidates[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Cluster:
    """A running cluster; ``stop()`` removes it."""

    datadir: str
    port: int
    user: str = DB_USER
    host: str = "127.0.0.1"
    _runas: tuple[str, ...] = field(default=())

    def _run(self, *argv: str) -> subprocess.CompletedProcess:
        return subprocess.run([*self._runas, *argv], capture_output=True, text=True, check=False)

    def stop(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", self.datadir, "-m", "immediate", "stop")
        shutil.rmtree(os.path.dirname(self.datadir), ignore_errors=True)


def start_cluster() -> Cluster:
    root = tempfile.mkdtemp(prefix="complaints-pg-")
    datadir = os.path.join(root, "data")
    runas: tuple[str, ...] = ()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        runas = ("runuser", "-u", "postgres", "--")
    os.chmod(root, 0o755)
    cluster = Cluster(datadir=datadir, port=free_port(), _runas=runas)
    init = cluster._run(_pg_bin("initdb"), "-D", datadir, "-U", DB_USER, "--auth=trust",
                        "-E", "UTF8", "--locale=C.UTF-8")
    if init.returncode:
        raise RuntimeError(f"initdb failed: {init.stderr.strip()}")
    options = f"-h 127.0.0.1 -p {cluster.port} -k {root} -c fsync=off -c full_page_writes=off"
    start = cluster._run(_pg_bin("pg_ctl"), "-D", datadir, "-o", options, "-l",
                         os.path.join(root, "server.log"), "-w", "start")
    if start.returncode:
        raise RuntimeError(f"PostgreSQL did not start: {start.stderr.strip()}")
    _logger.info("PostgreSQL cluster on 127.0.0.1:%s", cluster.port)
    return cluster
