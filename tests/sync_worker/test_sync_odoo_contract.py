"""The contract and the add-on's rules checked against each other: every combination of the
optional fields of PORTALS.md §2 goes through the worker into a real Odoo and lands.

Marked ``odoo``: run by the Odoo tier against a served database (see test_sync_odoo.py).
"""

from __future__ import annotations

import base64
import itertools
import threading
import uuid

import pytest
from hostile_portal import HostilePortal, order, page

from sync_worker.odoo_gateway import OdooGateway, OdooSettings
from sync_worker.portals.hotline import HotlineClient
from sync_worker.state import StateStore
from sync_worker.sync import PortalBinding, Synchronizer, SyncSettings

pytestmark = pytest.mark.odoo

# PORTALS.md §2, the fields marked "no" under req., with a value the contract allows
OPTIONAL = {
    "urgency": "urgent",
    "demand": "退还运费",
    "respondent": "城西配送站",
    "event_time": "2026-02-28T18:30:00+08:00",
    "location": "城西区",
    "category": "logistics/delivery",
    "affected_count": 3,
    "emergency": True,
    "attachments": [{"filename": "说明.txt", "mimetype": "text/plain", "content": base64.b64encode(b"ok").decode()}],
}
COMPLAINANTS = {
    "absent": None,
    "empty": {},
    "name": {"name": "李四"},
    "phone": {"phone": "13700000000"},
    "full": {"name": "王五", "phone": "13600000000", "address": "城西区中山路1号"},
}


def every_combination(prefix: str) -> list[dict]:
    orders = []
    names = list(OPTIONAL)
    for n, (mask, who) in enumerate(itertools.product(range(2 ** len(names)), COMPLAINANTS)):
        values = {name: OPTIONAL[name] for bit, name in enumerate(names) if mask >> bit & 1}
        if COMPLAINANTS[who] is not None:
            values["complainant"] = COMPLAINANTS[who]
        orders.append(order(f"{prefix}{n:05d}", **values))
    return orders


def test_every_optional_field_combination_lands_in_odoo(odoo_ready, tmp_path):
    settings = OdooSettings(odoo_ready.url, odoo_ready.db, odoo_ready.login, odoo_ready.password)
    gateway = OdooGateway(settings)
    prefix = f"C{uuid.uuid4().hex[:6].upper()}-"
    orders = every_combination(prefix)
    size = 500

    def script(_method: str, params: tuple):
        start = int(params[1] or 0)
        chunk = orders[start : start + size]
        return page(chunk, cursor=str(start + len(chunk)), more=start + len(chunk) < len(orders))

    with HostilePortal(script) as portal, StateStore(tmp_path / "state.sqlite3") as state:
        binding = PortalBinding(HotlineClient(portal.url, "token", timeout=60), "provincial_center")
        sync = Synchronizer(gateway, state, SyncSettings(page_size=size), threading.Event(), "contract-test")
        report = sync.run(binding, push=False)
    assert report.quarantined == 0, state.quarantine_items("hotline")[:3]
    rows = gateway._call(
        "complaint.case",
        "search_read",
        [("external_source", "=", "hotline"), ("external_ref", "=like", prefix + "%")],
        fields=["external_ref", "is_anonymous", "partner_id", "partner_name", "partner_phone", "priority"],
    )
    assert len(rows) == len(orders)
    by_ref = {row["external_ref"]: row for row in rows}
    for wire in orders:
        row = by_ref[wire["order_no"]]
        name = (wire.get("complainant") or {}).get("name")
        assert row["is_anonymous"] is (not name), wire
        assert (row["partner_name"] or None) == name
        assert bool(row["partner_id"]) is bool(name)
        assert row["priority"] == wire.get("urgency", "normal")
    assert all(a["status"] == "accepted" for a in portal.acks) and len(portal.acks) == len(orders)


def test_the_documented_integration_user_is_the_one_that_works(odoo_ready):
    from test_sync_odoo import inbound

    from sync_worker.app import EXIT_NOPERM, exit_code_for
    from sync_worker.odoo_gateway import QuarantineRow
    from sync_worker.odoo_user import ensure_integration_user

    admin = OdooGateway(OdooSettings(odoo_ready.url, odoo_ready.db, odoo_ready.login, odoo_ready.password))
    login = f"sync-{uuid.uuid4().hex[:8]}"
    first = ensure_integration_user(admin, login, "sync-secret-1")
    again = ensure_integration_user(admin, login, "sync-secret-2")  # resets the password
    assert first.created and not again.created and first.user_id == again.user_id
    worker = OdooGateway(OdooSettings(odoo_ready.url, odoo_ready.db, login, "sync-secret-2"))
    ctx = worker.resolve(["provincial_center"], None, {})
    ref = f"U{uuid.uuid4().hex[:8]}"
    assert worker.acquire_lease(f"test:{ref}", "w", 60)
    assert worker.apply_cases(ctx, "provincial_center", [inbound(ref, partner_name="")]).created
    worker.quarantine(ctx, [QuarantineRow("hotline", ref + "Q", "title: missing", "{}")])
    worker.release_lease(f"test:{ref}", "w")

    # what config.example.toml used to suggest: a complaint office user cannot hold a lease
    office_login = f"office-{uuid.uuid4().hex[:8]}"
    (office_group,) = admin._call(
        "ir.model.data",
        "search_read",
        [("module", "=", "addon_complaints"), ("name", "=", "group_complaint_office")],
        fields=["res_id"],
    )
    admin._call(
        "res.users",
        "create",
        {
            "name": "Office",
            "login": office_login,
            "password": "office-pw",
            "groups_id": [(6, 0, [office_group["res_id"]])],
        },
    )
    office = OdooGateway(OdooSettings(odoo_ready.url, odoo_ready.db, office_login, "office-pw"))
    with pytest.raises(Exception) as refused:
        office.acquire_lease(f"test:{ref}", "o", 60)
    assert exit_code_for(refused.value) == EXIT_NOPERM
    assert "Portal Sync (technical)" in str(refused.value)


def test_a_wrong_database_is_a_configuration_error(odoo_ready):
    from sync_worker.app import EXIT_CONFIG, exit_code_for

    gateway = OdooGateway(OdooSettings(odoo_ready.url, "no_such_database", odoo_ready.login, odoo_ready.password))
    with pytest.raises(Exception) as refused:
        gateway.resolve(["provincial_center"], None, {})
    assert exit_code_for(refused.value) == EXIT_CONFIG, refused.value
