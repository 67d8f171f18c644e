from odoo import fields, models

from .complaint_guard_mixin import transition


class ComplaintSyncQuarantine(models.Model):
    """A record from a portal that could not be applied, kept with the reason.

    Nothing from a portal is dropped silently: the sync worker files what it cannot apply
    here, and the complaint office decides what to do with it.
    """

    _name = "complaint.sync.quarantine"
    _description = "Quarantined Portal Record"
    _inherit = ["mail.thread", "complaint.guard.mixin"]
    _order = "create_date desc, id desc"
    # What the portal sent is kept as filed; the office decides.
    _protected_fields = dict.fromkeys(
        ("source", "external_ref", "reason", "payload", "company_id"), "create") | {
        "state": "action_resolve, action_ignore"}
    _initial_fields = {"source", "external_ref", "reason", "payload", "company_id"}
    _free_fields = {"resolution_note"}

    source = fields.Char(required=True, index=True, help="The portal: hotline or regulator.")
    external_ref = fields.Char(string="External Reference", index=True)
    reason = fields.Text(required=True)
    payload = fields.Text(help="The record as received, for diagnosis.")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company,
                                 index=True)
    state = fields.Selection(
        [("new", "To review"), ("resolved", "Resolved"), ("ignored", "Ignored")],
        default="new", required=True, tracking=True)
    resolution_note = fields.Text(tracking=True)

    @transition
    def action_resolve(self):
        self.env["complaint.case"]._ensure_office()
        self.write({"state": "resolved"})
        return True

    @transition
    def action_ignore(self):
        self.env["complaint.case"]._ensure_office()
        self.write({"state": "ignored"})
        return True
