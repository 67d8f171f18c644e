from odoo import api, fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    complaint_department_ids = fields.Many2many(
        "complaint.department", "complaint_department_user_rel", "user_id", "department_id",
        string="Complaint Departments",
        help="Departments whose dispatched complaints this user handles.")

    @api.ondelete(at_uninstall=False)
    def _unlink_except_complaint_role(self):
        self.env["complaint.case"]._check_unreferenced(self)
