"""Fixtures for the sync worker tests.

Odoo-backed tests are marked ``odoo`` and use the ``odoo_server`` fixture of the Odoo
tier (tests/conftest.py, tests/odoo_tier/server.py); where that fixture is not available
they are skipped with the reason.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the tests import the package from the working tree
    sys.path.insert(0, str(ROOT))

from sync_worker.reference_portals import start_portal  # noqa: E402
from sync_worker.state import StateStore  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "odoo: needs a real Odoo 18 with addon_complaints (odoo_server fixture)")


@pytest.fixture
def odoo(request: pytest.FixtureRequest):
    """The Odoo tier's server (url, host, port, db, login, password) or a skip."""
    try:
        server = request.getfixturevalue("odoo_server")
    except pytest.FixtureLookupError:
        pytest.skip("Odoo tier not available: no odoo_server fixture in tests/conftest.py yet")
    if server is None:
        pytest.skip("Odoo tier not available: odoo_server yielded nothing")
    return server


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
