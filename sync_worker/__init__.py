"""Keeps the complaint desk in Odoo in step with the hotline and regulator portals.

The package follows the tap/target split: ``portals`` read and answer the portals,
``odoo_gateway`` writes Odoo, ``state`` keeps the saved position (cursors, outbox,
quarantine). ``sync`` wires the three together; nothing else talks to the outside.
"""

__version__ = "0.1.0"
