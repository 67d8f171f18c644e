from odoo import fields, models


class ComplaintCloseWizard(models.TransientModel):
    """Close a case by one of the three closure criteria, with its evidence."""

    _name = "complaint.close.wizard"
    _inherit = "complaint.wizard.mixin"
    _description = "Close a Complaint"

    case_id = fields.Many2one("complaint.case", required=True, readonly=True)
    criterion = fields.Selection(
        selection=lambda self: self.env["complaint.case"]._fields["closure_criterion"].selection,
        required=True)
    evidence = fields.Text(required=True,
                           help="The customer's acceptance, the legal basis, or the ruling.")
    improvement = fields.Text(string="Management Improvement",
                              help="Suggestions kept in the archive.")

    def action_confirm(self):
        self.ensure_one()
        self.case_id.action_close(self.criterion, self.evidence, self.improvement)
        return {"type": "ir.actions.act_window_close"}
