"""Fixtures shared by every test outside Odoo.

The Odoo tier (``tests/odoo_tier/run.py``) installs the add-on into a throw-away database,
serves it on 127.0.0.1 and runs the tests marked ``odoo`` with ``ODOO_TEST_*`` set; anywhere
else those tests are skipped with the reason.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest


@dataclass(frozen=True)
class OdooServer:
    url: str
    host: str
    port: int
    db: str
    login: str
    password: str
    pg: str  # host:port:user of the PostgreSQL cluster behind it


@pytest.fixture(scope="session")
def odoo_server() -> OdooServer:
    url = os.environ.get("ODOO_TEST_URL")
    if not url:
        pytest.skip("no Odoo server: these tests run in the Odoo tier (bash tests/run.sh)")
    parsed = urlparse(url)
    return OdooServer(
        url=url, host=parsed.hostname or "127.0.0.1", port=parsed.port or 8069,
        db=os.environ["ODOO_TEST_DB"], login=os.environ.get("ODOO_TEST_LOGIN", "admin"),
        password=os.environ.get("ODOO_TEST_PASSWORD", "admin"), pg=os.environ.get("ODOO_TEST_PG", ""),
    )
