from odoo import api, fields, models


class ComplaintExtensionRequestWizard(models.TransientModel):
    """Ask the complaint office for more time on one stage of a case."""

    _name = "complaint.extension.request.wizard"
    _inherit = "complaint.wizard.mixin"
    _description = "Request an Extension"

    case_id = fields.Many2one("complaint.case", required=True, readonly=True)
    stage = fields.Selection(
        selection=lambda self: self.env["complaint.sla.policy.line"]._fields["stage"].selection,
        required=True, default="reply")
    amount = fields.Float(string="Extra Time", required=True, digits=(16, 2),
                          help="In the unit of the stage's time limit.")
    unit = fields.Char(compute="_compute_unit")
    reason = fields.Text(required=True)

    @api.depends("case_id", "stage")
    def _compute_unit(self):
        units = dict(self.env["complaint.sla.policy.line"]._fields["unit"]
                     ._description_selection(self.env))
        for wizard in self:
            line = wizard.case_id._deadline_line(wizard.stage) if wizard.stage else False
            wizard.unit = units.get(line.unit) if line else False

    def action_confirm(self):
        self.ensure_one()
        self.case_id.action_request_extension(self.reason, self.amount, stage=self.stage)
        return {"type": "ir.actions.act_window_close"}
