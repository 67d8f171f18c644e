"""Shared fixtures of the report tests: hand-made cases written as real export files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the tests import the reports package from the work tree
    sys.path.insert(0, str(ROOT))


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture(scope="module")
def odoo(odoo_server):
    """An odoorpc connection to the Odoo tier's served database, as its admin."""
    import odoorpc

    client = odoorpc.ODOO(odoo_server.host, port=odoo_server.port, timeout=300)
    client.login(odoo_server.db, odoo_server.login, odoo_server.password)
    return client
