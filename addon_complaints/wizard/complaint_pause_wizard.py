from odoo import fields, models


class ComplaintPauseWizard(models.TransientModel):
    """Stop the clock of a case while it waits on an appraisal, a test or a mediation."""

    _name = "complaint.pause.wizard"
    _inherit = "complaint.wizard.mixin"
    _description = "Stop the Clock"

    case_id = fields.Many2one("complaint.case", required=True, readonly=True)
    reason = fields.Selection(
        selection=lambda self: self.env["complaint.deadline.pause"]._fields["reason"].selection,
        string="Waiting for", required=True, default="appraisal")
    note = fields.Text(string="Details", required=True,
                       help="What the case waits for, from whom, and since when.")
    evidence = fields.Binary(help="The request or report that proves the wait.")
    evidence_name = fields.Char()

    def action_confirm(self):
        self.ensure_one()
        self.case_id.action_pause_clock(self.reason, self.note, evidence=self.evidence,
                                        evidence_name=self.evidence_name)
        return {"type": "ir.actions.act_window_close"}
