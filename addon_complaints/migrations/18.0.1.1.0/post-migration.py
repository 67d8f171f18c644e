"""The working calendar's days move into Odoo's ``resource`` model: write the public time off
and make-up working lines of every company from the days already configured."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["complaint.calendar.day"]._sync_resource(env["res.company"].search([]))
