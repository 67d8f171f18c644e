from odoo import fields, models


class ComplaintCallbackWizard(models.TransientModel):
    """Record the callback: satisfaction and whether the problem came back."""

    _name = "complaint.callback.wizard"
    _inherit = "complaint.wizard.mixin"
    _description = "Complaint Callback"

    case_id = fields.Many2one("complaint.case", required=True, readonly=True)
    satisfaction = fields.Selection(
        selection=lambda self: self.env["complaint.case"]._fields["satisfaction"].selection,
        required=True)
    problem_recurred = fields.Boolean(string="The Problem Came Back")
    note = fields.Text()

    def action_confirm(self):
        self.ensure_one()
        self.case_id.action_callback(self.satisfaction, self.note, self.problem_recurred)
        return {"type": "ir.actions.act_window_close"}
