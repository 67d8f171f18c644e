"""Run the Odoo tier: install the add-on into fresh databases of a real Odoo 18 and run its tests.

Steps, each in a throw-away PostgreSQL cluster on 127.0.0.1:

1. install the add-on's dependencies (so only our own tests run afterwards);
2. install ``addon_complaints`` with demo data, ``--test-enable --test-tags /addon_complaints``;
3. upgrade it (``-u addon_complaints``);
4. install it into a second database without demo data;
5. each optional add-on beside the core (``addon_complaints_<feature>/``) in a database of its
   own, with the Odoo apps it needs, running only that add-on's tests (the core never sees
   those apps, so the core keeps proving it installs with ``mail`` and ``resource`` alone);
6. serve the first database over HTTP and run the pytest tests marked ``odoo`` (the sync worker
   and the report builder against the real server).

Any test failure, and any WARNING/ERROR line that Odoo logs while loading our add-on (invalid
views, missing access rules, bad data), fails the tier.
"""
from __future__ import annotations

import argparse
import ast
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.odoo_tier.locate import OdooInstall, find_odoo, why_not_found
from tests.odoo_tier.postgres import free_port, start_cluster
from tests.odoo_tier.serve import ADDON, REPO, OdooProcess, PgAddress, odoo_argv

_logger = logging.getLogger("odoo_tier")

SKIPPED = 3  # exit code: tier skipped (no Odoo)

_LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) (?P<logger>\S+): (?P<msg>.*)")
# Lines that say something about this machine, not about our add-on.
_HARMLESS = (
    re.compile(r"^Running as user 'root'"),
    re.compile(r"You are running as root|as root is a security risk"),
)


def _addon_dependencies(addon: str = ADDON) -> list[str]:
    manifest = ast.literal_eval((REPO / addon / "__manifest__.py").read_text(encoding="utf-8"))
    return list(manifest["depends"])


def optional_addons() -> list[str]:
    """The ``addon_complaints_<feature>`` add-ons beside the core, in name order."""
    return sorted(p.parent.name for p in REPO.glob(f"{ADDON}_*/__manifest__.py"))


def _external_dependencies(addon: str) -> list[str]:
    """The Odoo apps an optional add-on needs, ours left out (they are installed under test)."""
    ours = {ADDON, *optional_addons()}
    deps = set(_addon_dependencies(ADDON))
    pending = [addon]
    while pending:
        for dep in _addon_dependencies(pending.pop()):
            if dep in ours:
                pending.append(dep)
            else:
                deps.add(dep)
    return sorted(deps)


def _odoo_argv(odoo: OdooInstall, pg: PgAddress, data_dir: str, db: str, *extra: str) -> list[str]:
    return odoo_argv(
        odoo, pg, "--database", db, "--log-level", "info", "--http-interface", "127.0.0.1",
        "--http-port", str(free_port()), "--max-cron-threads", "0", "--no-database-list", *extra,
        data_dir=data_dir,
    )


def _run_logged(argv: list[str], logfile: Path) -> int:
    _logger.info("$ %s", " ".join(argv))
    with open(logfile, "w", encoding="utf-8") as out:
        return subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, cwd=REPO, check=False).returncode


def _problems(logfile: Path) -> list[str]:
    """WARNING and worse lines of the log, less those about the machine."""
    found = []
    for line in logfile.read_text(encoding="utf-8", errors="replace").splitlines():
        match = _LOG_LINE.match(line)
        if not match or match["level"] not in ("WARNING", "ERROR", "CRITICAL"):
            continue
        if any(p.search(match["msg"]) for p in _HARMLESS):
            continue
        found.append(line)
    return found


def _test_stats(logfile: Path) -> str:
    text = logfile.read_text(encoding="utf-8", errors="replace")
    stats = re.findall(r"(\d+ failed, \d+ error\(s\) of \d+ tests.*)", text)
    return stats[-1] if stats else "no test statistics in the log"


class Step:
    def __init__(self, logdir: Path):
        self.logdir = logdir
        self.failures: list[str] = []

    def run(self, name: str, argv: list[str], check_log: bool = True) -> Path:
        logfile = self.logdir / f"{name}.log"
        started = time.monotonic()
        rc = _run_logged(argv, logfile)
        problems = _problems(logfile) if check_log else []
        took = time.monotonic() - started
        if rc or problems:
            self.failures.append(name)
            _logger.error("step %s FAILED (exit %s, %s problem lines, %.0fs), log: %s", name, rc,
                          len(problems), took, logfile)
            for line in problems[:40]:
                _logger.error("  %s", line)
            if rc and not problems:
                tail = logfile.read_text(encoding="utf-8", errors="replace").splitlines()[-30:]
                for line in tail:
                    _logger.error("  %s", line)
        else:
            _logger.info("step %s ok (%.0fs)", name, took)
        return logfile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Install addon_complaints into fresh databases of a real Odoo 18 and run "
                    "its tests, then the pytest tests marked `odoo` against a served database. "
                    f"Exit 0 on success, 1 on failure, {SKIPPED} when no Odoo is found.")
    parser.add_argument("--logdir", default=str(REPO / ".odoo-tier-logs"),
                        help="where each step's Odoo log is written (default: %(default)s)")
    parser.add_argument("--quick", action="store_true",
                        help="only install with tests; skip upgrade, no-demo install, optional "
                             "add-ons and pytest")
    parser.add_argument("--only", metavar="ADDON",
                        help="run only this optional add-on's install and tests (e.g. "
                             "addon_complaints_portal), skipping the core steps")
    parser.add_argument("--pytest", default=sys.executable,
                        help="Python interpreter with pytest and the project's requirements")
    parser.add_argument("--test-tags", metavar="SPEC",
                        help="Odoo test tags for the install step instead of every test of the "
                             "add-on, e.g. /addon_complaints:TestClosure (for a quick check while "
                             "working on one behaviour)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")

    odoo = find_odoo()
    if odoo is None:
        print(f"Odoo tier: SKIPPED — {why_not_found()}")
        return SKIPPED
    _logger.info("Odoo found by %s: %s (%s)", odoo.found_by, " ".join(odoo.command), odoo.version())
    logdir = Path(args.logdir)
    logdir.mkdir(parents=True, exist_ok=True)
    cluster = start_cluster()
    # A filestore of this run's own: runs side by side use the same database names, and each
    # Odoo would otherwise collect the other's attachments as garbage.
    data_dir = tempfile.mkdtemp(prefix="complaints-odoo-data-")
    pg = PgAddress(cluster.host, cluster.port, cluster.user)
    steps = Step(logdir)
    try:
        if args.only:
            _run_optional(odoo, pg, data_dir, steps, args.only, args.test_tags)
            return _verdict(steps, logdir, odoo)
        db = "complaints_test"
        deps = ",".join(_addon_dependencies())
        steps.run("1-dependencies", _odoo_argv(odoo, pg, data_dir, db, "-i", deps, "--stop-after-init"),
                  check_log=False)
        if steps.failures:
            return 1
        log = steps.run("2-install-and-test", _odoo_argv(
            odoo, pg, data_dir, db, "-i", ADDON, "--test-enable", "--test-tags", args.test_tags or f"/{ADDON}",
            "--stop-after-init"))
        _logger.info("Odoo tests: %s", _test_stats(log))
        if not args.quick:
            steps.run("3-upgrade", _odoo_argv(odoo, pg, data_dir, db, "-u", ADDON, "--stop-after-init"))
            steps.run("4-install-without-demo", _odoo_argv(
                odoo, pg, data_dir, "complaints_nodemo", "-i", ADDON, "--without-demo", "all",
                "--stop-after-init"))
            for addon in optional_addons():
                _run_optional(odoo, pg, data_dir, steps, addon)
            server = OdooProcess(odoo, pg, logdir / "serve.log", (db,), data_dir=data_dir).start()
            try:
                env = dict(os.environ, ODOO_TEST_URL=server.url, ODOO_TEST_DB=db,
                           ODOO_TEST_LOGIN="admin", ODOO_TEST_PASSWORD="admin",
                           ODOO_TEST_PG=str(pg), ODOO_TEST_DATA_DIR=data_dir)
                rc = subprocess.run([args.pytest, "-m", "pytest", "-m", "odoo", "-q", "tests"],
                                    cwd=REPO, env=env, check=False).returncode
                if rc not in (0, 5):  # 5: no tests collected
                    steps.failures.append("5-pytest-against-odoo")
            finally:
                server.stop()
    finally:
        cluster.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    return _verdict(steps, logdir, odoo)


def _run_optional(odoo: OdooInstall, pg: PgAddress, data_dir: str, steps: Step, addon: str,
                  test_tags: str | None = None) -> None:
    """An optional add-on in its own database: its Odoo apps first, then it with its tests."""
    db = f"complaints_{addon.removeprefix(ADDON + '_')}"
    steps.run(f"{addon}-1-dependencies", _odoo_argv(
        odoo, pg, data_dir, db, "-i", ",".join(_external_dependencies(addon)), "--stop-after-init"),
        check_log=False)
    if f"{addon}-1-dependencies" in steps.failures:
        return
    log = steps.run(f"{addon}-2-install-and-test", _odoo_argv(
        odoo, pg, data_dir, db, "-i", addon, "--test-enable", "--test-tags", test_tags or f"/{addon}",
        "--stop-after-init"))
    _logger.info("Odoo tests of %s: %s", addon, _test_stats(log))


def _verdict(steps: Step, logdir: Path, odoo: OdooInstall) -> int:
    if steps.failures:
        print(f"Odoo tier: FAILED ({', '.join(steps.failures)}); logs in {logdir}")
        return 1
    print(f"Odoo tier: PASSED ({odoo.version()}, found by {odoo.found_by})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
