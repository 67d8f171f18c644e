"""Install addon_complaints into a throw-away database and serve it on 127.0.0.1.

Reusable by the benchmark and by tests that need their own Odoo process::

    with served_database(databases=("bench_a", "bench_b")) as served:
        served.url, served.databases, served.pg  # "host:port:user"

``served_database`` starts a throw-away PostgreSQL cluster (tests/odoo_tier/postgres.py),
installs the add-on once (without demo data unless asked), copies that database for each
further name with ``odoo db duplicate`` (filestore included, so every copy starts from the
same state), serves all of them from one Odoo process and removes everything afterwards.

``OdooProcess`` starts one Odoo server on an existing database (e.g. the served database
of the Odoo tier, given as ``host:port:user``) and can be killed and started again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.odoo_tier.locate import OdooInstall, find_odoo, why_not_found
from tests.odoo_tier.postgres import free_port, start_cluster

_logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
ADDON = "addon_complaints"


@dataclass(frozen=True)
class PgAddress:
    """Where the PostgreSQL cluster listens; ``Cluster`` of postgres.py has the same fields."""

    host: str
    port: int
    user: str

    @classmethod
    def parse(cls, text: str) -> PgAddress:
        """``host:port:user`` as the Odoo tier passes it in ODOO_TEST_PG."""
        host, port, user = text.split(":")
        return cls(host, int(port), user)

    def __str__(self) -> str:
        return f"{self.host}:{self.port}:{self.user}"


def odoo_argv(odoo: OdooInstall, pg: PgAddress, *extra: str, data_dir: str | None = None) -> list[str]:
    """Server options shared by every Odoo command we run (install, serve, shell)."""
    argv = [*odoo.command]
    if extra and extra[0] in ("shell", "db"):  # subcommands come first
        argv.append(extra[0])
        extra = extra[1:]
    argv += ["--db_host", pg.host, "--db_port", str(pg.port), "--db_user", pg.user, "--addons-path", str(REPO)]
    if data_dir:
        argv += ["--data-dir", data_dir]
    return [*argv, *extra]


def _run(argv: list[str], logfile: Path, what: str) -> None:
    _logger.info("$ %s", " ".join(argv))
    with open(logfile, "a", encoding="utf-8") as out:
        rc = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, cwd=REPO, check=False).returncode
    if rc:
        tail = "\n".join(logfile.read_text(encoding="utf-8", errors="replace").splitlines()[-20:])
        raise RuntimeError(f"{what} failed (exit {rc}), log {logfile}:\n{tail}")


def install(
    odoo: OdooInstall, pg: PgAddress, db: str, logfile: Path, *, demo: bool = False, data_dir: str | None = None
) -> None:
    """Create ``db`` and install the add-on (and its dependencies) into it."""
    extra = [] if demo else ["--without-demo", "all"]
    _run(
        odoo_argv(
            odoo,
            pg,
            "--database",
            db,
            "-i",
            ADDON,
            "--stop-after-init",
            "--max-cron-threads",
            "0",
            "--no-http",
            "--log-level",
            "warn",
            *extra,
            data_dir=data_dir,
        ),
        logfile,
        f"install into {db}",
    )


def duplicate(
    odoo: OdooInstall, pg: PgAddress, source: str, target: str, logfile: Path, *, data_dir: str | None = None
) -> None:
    """Copy a database with its filestore (``odoo db duplicate``)."""
    _run(
        odoo_argv(odoo, pg, "db", "duplicate", source, target, data_dir=data_dir),
        logfile,
        f"copy of {source} to {target}",
    )


def wait_healthy(port: int, timeout: float = 120.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the Odoo server exited with {proc.returncode} before answering")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/web/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the Odoo server did not answer /web/health within {timeout:.0f} s")


@dataclass
class OdooProcess:
    """One Odoo HTTP server on 127.0.0.1 for ``databases`` (all of them when empty)."""

    odoo: OdooInstall
    pg: PgAddress
    logfile: Path
    databases: Sequence[str] = ()
    port: int = field(default_factory=free_port)
    data_dir: str | None = None
    # further server options (later ones win, e.g. ``--workers 4 --max-cron-threads 1``)
    options: Sequence[str] = ()
    env: dict[str, str] | None = None
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> OdooProcess:
        extra = [
            "--http-interface",
            "127.0.0.1",
            "--http-port",
            str(self.port),
            "--max-cron-threads",
            "0",
            "--no-database-list",
            "--log-level",
            "warn",
        ]
        if self.databases:
            extra += ["--database", ",".join(self.databases)]
            extra += ["--db-filter", "^(" + "|".join(self.databases) + ")$"]
        argv = odoo_argv(self.odoo, self.pg, *extra, *self.options, data_dir=self.data_dir)
        _logger.info("$ %s", " ".join(argv))
        log = open(self.logfile, "a", encoding="utf-8")  # noqa: SIM115 - lives as long as the server
        # its own process group: a launcher script and the server are stopped together
        env = {**os.environ, **self.env} if self.env else None
        self.proc = subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT, cwd=REPO, start_new_session=True, env=env
        )
        log.close()  # the child holds its own descriptor
        try:
            wait_healthy(self.port, timeout, self.proc)
        except RuntimeError:
            self.stop()
            raise
        return self

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, open transactions are rolled back by PostgreSQL."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass(frozen=True)
class Served:
    odoo: OdooInstall
    pg: PgAddress
    url: str
    databases: tuple[str, ...]
    data_dir: str
    logdir: Path

    def argv(self, *extra: str) -> list[str]:
        """An Odoo command line against this cluster and data directory (e.g. ``shell``)."""
        return odoo_argv(self.odoo, self.pg, *extra, data_dir=self.data_dir)


class OdooNotFound(RuntimeError):
    pass


@contextlib.contextmanager
def served_database(
    databases: Sequence[str] = ("complaints_serve",),
    *,
    demo: bool = False,
    logdir: Path | None = None,
    server_options: Sequence[str] = (),
    server_env: dict[str, str] | None = None,
) -> Iterator[Served]:
    """Throw-away cluster, the add-on installed into ``databases`` (identical copies), served
    (``server_options`` and ``server_env`` go to the serving process only, e.g. ``--workers``)."""
    odoo = find_odoo()
    if odoo is None:
        raise OdooNotFound(why_not_found())
    root = Path(tempfile.mkdtemp(prefix="complaints-odoo-"))
    data_dir = str(root / "data")
    logs = logdir or root
    logs.mkdir(parents=True, exist_ok=True)
    cluster = start_cluster()
    pg = PgAddress(cluster.host, cluster.port, cluster.user)
    server: OdooProcess | None = None
    try:
        first, *others = databases
        install(odoo, pg, first, logs / "install.log", demo=demo, data_dir=data_dir)
        for name in others:
            duplicate(odoo, pg, first, name, logs / "install.log", data_dir=data_dir)
        server = OdooProcess(
            odoo, pg, logs / "serve.log", tuple(databases), data_dir=data_dir, options=tuple(server_options),
            env=server_env,
        ).start()
        yield Served(odoo, pg, server.url, tuple(databases), data_dir, logs)
    finally:
        if server is not None:
            server.stop()
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)  # the logs stay when they were written to ``logdir``
