"""Odoo killed and restarted in the middle of an import (the Odoo tier).

The ``odoo_server`` fixture's server cannot be restarted from a test, so the test starts a
second Odoo process on the same database (``odoo_server.pg`` gives its PostgreSQL cluster),
points the worker at it, kills it with SIGKILL while a first import is running and starts it
again. The worker must exit 75 (temporary failure) on the outage and finish on the next run;
then every order is in Odoo exactly once.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from sync_worker.odoo_gateway import OdooGateway, OdooSettings
from sync_worker.reference_portals import start_portal
from sync_worker.reference_portals.generate import seed
from tests.odoo_tier.locate import find_odoo
from tests.odoo_tier.serve import OdooProcess, PgAddress

pytestmark = pytest.mark.odoo
ROOT = Path(__file__).resolve().parents[2]
ORDERS = 2000
LEASE_TTL = 5


@pytest.fixture(scope="module")
def integration_rights(odoo_server):
    """The fixture's user may use the sync models (the integration group)."""
    gateway = OdooGateway(OdooSettings(odoo_server.url, odoo_server.db, odoo_server.login, odoo_server.password))
    group = gateway._call(
        "ir.model.data",
        "search_read",
        [("module", "=", "addon_complaints"), ("name", "=", "group_complaint_integration")],
        fields=["res_id"],
    )
    uid = gateway._odoo.env.uid
    gateway._call("res.users", "write", [uid], {"groups_id": [(4, group[0]["res_id"])]})
    return odoo_server


@pytest.fixture
def second_odoo(integration_rights, tmp_path):
    """Another Odoo server process on the fixture's database, which the test may kill."""
    if not integration_rights.pg:
        pytest.skip("ODOO_TEST_PG (host:port:user of the served database's cluster) is not set")
    odoo = find_odoo()
    if odoo is None:
        pytest.skip("no Odoo installation found to start a second server")
    server = OdooProcess(
        odoo, PgAddress.parse(integration_rights.pg), tmp_path / "odoo.log", (integration_rights.db,),
        data_dir=os.environ.get("ODOO_TEST_DATA_DIR"),
    ).start()
    yield server
    server.stop()


def _config(tmp_path: Path, url: str, odoo_server, portal_url: str) -> Path:
    path = tmp_path / "sync.toml"
    path.write_text(
        f"""
[odoo]
url = "{url}"
db = "{odoo_server.db}"
login = "{odoo_server.login}"

[state]
path = "state.sqlite3"

[worker]
page_size = 50
lease_ttl = {LEASE_TTL}
retry_attempts = 3
retry_base_s = 0.2
retry_ceiling_s = 1

[hotline]
url = "{portal_url}"
timeout = 30
""",
        encoding="utf-8",
    )
    return path


def _count(gateway: OdooGateway, prefix: str) -> dict[str, int]:
    rows = gateway._call(
        "complaint.case",
        "search_read",
        [("external_source", "=", "hotline"), ("external_ref", "=like", prefix + "%")],
        fields=["external_ref"],
    )
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["external_ref"]] = counts.get(row["external_ref"], 0) + 1
    return counts


def test_odoo_killed_and_restarted_mid_import_loses_and_duplicates_nothing(integration_rights, second_odoo, tmp_path):
    server = second_odoo
    watcher = OdooGateway(
        OdooSettings(
            integration_rights.url, integration_rights.db, integration_rights.login, integration_rights.password
        )
    )
    with start_portal("hotline") as portal:
        p = f"T{uuid.uuid4().hex[:8].upper()}-"
        seeded = seed(portal.store, "hotline", ORDERS, rng=random.Random(5))
        for entry in portal.store.feed:
            entry.payload["order_no"] = p + entry.payload["order_no"]
            entry.ref = entry.payload["order_no"]
        expected = {p + r for r in seeded.expected_cases}
        config = _config(tmp_path, server.url, integration_rights, portal.url)
        argv = [sys.executable, "-m", "sync_worker", "--config", str(config), "once", "--no-progress"]
        env = {**os.environ, "ODOO_PASSWORD": integration_rights.password, "HOTLINE_TOKEN": "hotline-token"}
        log = tmp_path / "worker.log"

        with open(log, "a", encoding="utf-8") as out:
            worker = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            # kill Odoo once the import is under way: some cases are in, most are not
            deadline = time.monotonic() + 300
            while len(_count(watcher, p)) < 100:
                assert worker.poll() is None, f"the worker ended before the kill: {log.read_text()[-2000:]}"
                assert time.monotonic() < deadline, "the import did not start"
                time.sleep(0.1)
            server.kill()
            code = worker.wait(timeout=300)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        partial = _count(watcher, p)
        assert code == 75, f"exit {code} on the outage, expected 75: {log.read_text()[-2000:]}"
        assert 0 < len(partial) < len(expected), "the kill did not land in the middle of the import"
        assert set(partial.values()) == {1}

        server.start()  # same port, same database
        for _attempt in range(6):
            with open(log, "a", encoding="utf-8") as out:
                code = subprocess.run(
                    argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=600, check=False
                ).returncode
            if code != 75:  # 75: the lease of the run cut off has not expired yet
                break
            time.sleep(LEASE_TTL)
        assert code == 0, f"exit {code} after the restart: {log.read_text()[-2000:]}"

    counts = _count(watcher, p)
    assert set(counts) == expected, f"lost: {sorted(expected - set(counts))[:5]}"
    assert set(counts.values()) == {1}, f"duplicated: {[r for r, n in counts.items() if n > 1][:5]}"
