from odoo import fields, models


class ComplaintAssignHandlerWizard(models.TransientModel):
    """The lead department's manager gives the case to one of the department's handlers."""

    _name = "complaint.assign.handler.wizard"
    _inherit = "complaint.wizard.mixin"
    _description = "Assign the Handler"

    case_id = fields.Many2one("complaint.case", required=True, readonly=True)
    department_id = fields.Many2one(related="case_id.department_id")
    user_id = fields.Many2one("res.users", string="Handler", required=True,
                              domain="[('complaint_department_ids', 'in', department_id)]")

    def action_confirm(self):
        self.ensure_one()
        self.case_id.action_assign_handler(self.user_id)
        return {"type": "ir.actions.act_window_close"}
