"""Fixtures for the sync worker tests.

Odoo-backed tests (test_sync_odoo.py) are marked ``odoo`` and use the ``odoo_server``
fixture of tests/conftest.py, which skips them with the reason outside the Odoo tier.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the tests import the package from the working tree
    sys.path.insert(0, str(ROOT))

from sync_worker.odoo_gateway import OdooGateway, OdooSettings  # noqa: E402
from sync_worker.reference_portals import start_portal  # noqa: E402
from sync_worker.state import StateStore  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "odoo: needs a real Odoo 18 with addon_complaints (odoo_server fixture)")


@pytest.fixture
def hotline():
    running = start_portal("hotline")
    yield running
    running.stop()


@pytest.fixture
def regulator():
    running = start_portal("regulator")
    yield running
    running.stop()


@pytest.fixture
def state(tmp_path: Path):
    store = StateStore(tmp_path / "state.sqlite3")
    yield store
    store.close()


@pytest.fixture(scope="session")
def odoo_ready(odoo_server):
    """The test user may use the sync models (the integration group)."""
    settings = OdooSettings(odoo_server.url, odoo_server.db, odoo_server.login, odoo_server.password)
    gateway = OdooGateway(settings)
    group = gateway._call(
        "ir.model.data",
        "search_read",
        [("module", "=", "addon_complaints"), ("name", "=", "group_complaint_integration")],
        fields=["res_id"],
    )
    if group:
        uid = gateway._odoo.env.uid
        gateway._call("res.users", "write", [uid], {"groups_id": [(4, group[0]["res_id"])]})
    return odoo_server
