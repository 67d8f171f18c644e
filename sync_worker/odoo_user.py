"""Sets up the worker's Odoo user: an internal user in the group "Portal Sync (technical)".

That group, and only that group, gives what the worker does in Odoo: create and update the
cases that came from a portal, file quarantined records, hold leases. A complaint office
user lacks the lease and quarantine rights and an administrator has far more than needed.
``python -m sync_worker setup-odoo-user`` runs this as an Odoo administrator.
"""

from __future__ import annotations

from dataclasses import dataclass

from .odoo_gateway import OdooGateway, OdooSchemaError

INTEGRATION_GROUP = ("addon_complaints", "group_complaint_integration")


@dataclass(frozen=True)
class UserSetup:
    user_id: int
    created: bool


def ensure_integration_user(admin: OdooGateway, login: str, password: str, name: str = "Portal Sync") -> UserSetup:
    """Create ``login`` (or update it) as an active member of the integration group with
    ``password``; ``admin`` is connected as an Odoo administrator."""
    module, xmlid = INTEGRATION_GROUP
    rows = admin._call(
        "ir.model.data", "search_read", [("module", "=", module), ("name", "=", xmlid)], fields=["res_id"]
    )
    if not rows:
        raise OdooSchemaError(f"group {module}.{xmlid} not found: install or upgrade addon_complaints")
    group_id = rows[0]["res_id"]
    users = admin._call(
        "res.users", "search_read", [("login", "=", login)], fields=["id"], context={"active_test": False}
    )
    if users:
        user_id = users[0]["id"]
        admin._call(
            "res.users", "write", [user_id], {"active": True, "password": password, "groups_id": [(4, group_id)]}
        )
        return UserSetup(user_id, created=False)
    user_id = admin._call(
        "res.users",
        "create",
        {"name": name, "login": login, "password": password, "groups_id": [(6, 0, [group_id])]},
    )
    return UserSetup(user_id if isinstance(user_id, int) else user_id[0], created=True)
