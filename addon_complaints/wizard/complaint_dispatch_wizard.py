from odoo import fields, models


class ComplaintDispatchWizard(models.TransientModel):
    """Dispatch a case: the routing proposal is pre-filled, the office confirms or overrides."""

    _name = "complaint.dispatch.wizard"
    _inherit = "complaint.wizard.mixin"
    _description = "Dispatch a Complaint"

    case_id = fields.Many2one("complaint.case", required=True, readonly=True)
    company_id = fields.Many2one(related="case_id.company_id")
    department_id = fields.Many2one("complaint.department", string="Lead Department", required=True,
                                    domain="[('company_id', '=', company_id)]")
    co_department_ids = fields.Many2many("complaint.department", string="Co-handling Departments",
                                         domain="[('company_id', '=', company_id), ('id', '!=', department_id)]")
    user_id = fields.Many2one("res.users", string="Assignee",
                              domain="[('complaint_department_ids', 'in', department_id)]")

    def action_confirm(self):
        self.ensure_one()
        self.case_id.action_dispatch(self.department_id, self.co_department_ids, self.user_id)
        return {"type": "ir.actions.act_window_close"}
