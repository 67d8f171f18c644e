from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ComplaintDepartment(models.Model):
    """A department that handles complaints: head office → branch → county office.

    Members see and handle the cases dispatched to their department; the manager also signs
    feedback and accepts or returns dispatch orders, for the department and those below it.
    """

    _name = "complaint.department"
    _description = "Complaint Handling Department"
    # An optional e-mail alias: the complaint office's is the company's intake address, any
    # other department may have its own (see complaint_case_mail_intake.py).
    _inherit = ["mail.alias.mixin.optional"]
    _parent_name = "parent_id"
    _parent_store = True
    _rec_name = "complete_name"
    _order = "complete_name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    complete_name = fields.Char(compute="_compute_complete_name", recursive=True, store=True)
    code = fields.Char()
    parent_id = fields.Many2one("complaint.department", string="Parent Department", index=True,
                                ondelete="restrict", check_company=True)
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("complaint.department", "parent_id", string="Sub-departments")
    company_id = fields.Many2one("res.company", required=True, index=True,
                                 default=lambda self: self.env.company)
    manager_id = fields.Many2one("res.users", check_company=True,
                                 help="Signs feedback and accepts or returns dispatch orders.")
    member_ids = fields.Many2many("res.users", "complaint_department_user_rel", "department_id",
                                  "user_id", string="Members", check_company=True)
    is_complaint_office = fields.Boolean(
        string="Complaint Office",
        help="The central office that dispatches, verifies, replies and closes.")
    phone = fields.Char(help="Given to customers on the acceptance receipt.")
    email = fields.Char()
    active = fields.Boolean(default=True)
    resource_calendar_id = fields.Many2one(
        "resource.calendar", string="Working Calendar",
        help="Deadlines of this department's cases are counted on it; empty: the company's.")

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for department in self:
            if department.parent_id:
                department.complete_name = f"{department.parent_id.complete_name} / {department.name}"
            else:
                department.complete_name = department.name

    @api.constrains("parent_id")
    def _check_parent_id(self):
        if self._has_cycle():
            raise ValidationError(self.env._("A department cannot be its own parent."))

    @api.model_create_multi
    def create(self, vals_list):
        departments = super().create(vals_list)
        departments._add_manager_to_members()
        return departments

    def write(self, vals):
        res = super().write(vals)
        if "manager_id" in vals or "member_ids" in vals:
            self._add_manager_to_members()
        if "resource_calendar_id" in vals:
            Case = self.env["complaint.case"]
            Case._recompute_deadlines_where(Case._deadline_domain_for_departments(self))
        return res

    def _add_manager_to_members(self):
        """The manager is always a member, so that one record rule covers both."""
        for department in self:
            if department.manager_id and department.manager_id not in department.member_ids:
                department.member_ids = [fields.Command.link(department.manager_id.id)]

    def _alias_get_creation_values(self):
        """Mail to the department's alias opens a case of its company, received by it."""
        values = super()._alias_get_creation_values()
        values["alias_model_id"] = self.env["ir.model"]._get_id("complaint.case")
        if self.id:
            values["alias_defaults"] = repr({"company_id": self.company_id.id,
                                             "intake_department_id": self.id})
        return values

    def _managers_up_the_tree(self):
        """Managers of these departments and of every department above them."""
        ancestors = self.browse(
            {int(part) for department in self for part in department.parent_path.split("/") if part})
        return ancestors.manager_id

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used_by_cases(self):
        self.env["complaint.case"]._check_unreferenced(self)
