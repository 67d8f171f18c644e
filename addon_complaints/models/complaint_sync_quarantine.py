from odoo import fields, models


class ComplaintSyncQuarantine(models.Model):
    """A record from a portal that could not be applied, kept with the reason.

    Nothing from a portal is dropped silently: the sync worker files what it cannot apply
    here, and the complaint office decides what to do with it.
    """

    _name = "complaint.sync.quarantine"
    _description = "Quarantined Portal Record"
    _inherit = ["mail.thread"]
    _order = "create_date desc, id desc"

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

    def action_resolve(self):
        self.write({"state": "resolved"})

    def action_ignore(self):
        self.write({"state": "ignored"})
