"""The Odoo tier: the add-on tested inside a real Odoo 18 on a throw-away PostgreSQL."""
