from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .complaint_guard_mixin import transition


class ComplaintAssignment(models.Model):
    """A dispatch order: one department asked to handle (or co-handle) one case.

    A case keeps all its dispatch orders, so a return and a re-dispatch stay visible.
    """

    _name = "complaint.assignment"
    _description = "Complaint Dispatch Order"
    _inherit = ["mail.thread", "complaint.guard.mixin"]
    _order = "date_dispatched desc, id desc"
    _check_company_auto = True
    # Dispatch orders are made by the case's dispatch and moved by their own steps only.
    _protected_fields = dict.fromkeys(
        ("case_id", "department_id", "is_lead", "dispatched_by_id",
         "date_dispatched", "round"), "complaint.case.action_dispatch") | dict.fromkeys(
        ("state", "date_accepted", "accepted_by_id"), "action_accept") | dict.fromkeys(
        ("return_reason", "date_returned", "returned_by_id"), "action_return")
    # The department's manager chooses who handles the order; recusal is checked on it.
    _free_fields = {"user_id"}

    case_id = fields.Many2one("complaint.case", required=True, ondelete="restrict", index=True,
                              check_company=True)
    company_id = fields.Many2one(related="case_id.company_id", store=True, index=True)
    department_id = fields.Many2one("complaint.department", required=True, index=True,
                                    check_company=True, tracking=True)
    is_lead = fields.Boolean(string="Lead Department", tracking=True,
                             help="The lead department (牵头部门) answers for the whole case.")
    user_id = fields.Many2one("res.users", string="Assignee", tracking=True, check_company=True)
    dispatched_by_id = fields.Many2one("res.users", string="Dispatched by", required=True,
                                       default=lambda self: self.env.user, readonly=True)
    date_dispatched = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    state = fields.Selection(
        [("pending", "Waiting for acceptance"),
         ("accepted", "Accepted"),
         ("returned", "Returned"),
         ("done", "Done")],
        default="pending", required=True, tracking=True, index=True)
    date_accepted = fields.Datetime(readonly=True)
    accepted_by_id = fields.Many2one("res.users", readonly=True)
    return_reason = fields.Text(readonly=True)
    date_returned = fields.Datetime(readonly=True)
    returned_by_id = fields.Many2one("res.users", readonly=True)
    round = fields.Integer(
        default=1, readonly=True,
        help="Handling round: goes up each time the case is dispatched again after a "
        "dissatisfied callback.")

    @api.depends("case_id.name", "department_id.complete_name")
    def _compute_display_name(self):
        for assignment in self:
            assignment.display_name = f"{assignment.case_id.name} → {assignment.department_id.complete_name}"

    @api.constrains("user_id")
    def _check_assignee_recusal(self):
        for assignment in self:
            if assignment.user_id:
                assignment.case_id._check_recusal(assignment.user_id, self.env._("handle"))

    def _check_department_manager(self):
        """Only the department's manager (or a manager above it) accepts or returns."""
        user = self.env.user
        if user.has_group("addon_complaints.group_complaint_office"):
            return
        for assignment in self:
            managers = assignment.department_id._managers_up_the_tree()
            if user not in managers:
                raise AccessError(self.env._(
                    "Only the manager of %(department)s can accept or return its dispatch orders.",
                    department=assignment.department_id.complete_name))

    @transition
    def action_accept(self):
        self._check_department_manager()
        for assignment in self:
            if assignment.state != "pending":
                raise UserError(self.env._("Only a dispatch order waiting for acceptance can be accepted."))
            assignment.write({
                "state": "accepted",
                "date_accepted": fields.Datetime.now(),
                "accepted_by_id": self.env.user.id,
            })
            assignment.case_id._on_assignment_accepted(assignment)
        return True

    @transition
    def action_return(self, reason=""):
        """Send a wrongly routed dispatch order back to the complaint office."""
        if not (reason or "").strip():
            raise UserError(self.env._("Say why the dispatch order is returned."))
        self._check_department_manager()
        for assignment in self:
            if assignment.state not in ("pending", "accepted"):
                raise UserError(self.env._("This dispatch order is no longer open."))
            assignment.write({
                "state": "returned",
                "return_reason": reason,
                "date_returned": fields.Datetime.now(),
                "returned_by_id": self.env.user.id,
            })
            assignment.case_id._on_assignment_returned(assignment)
        return True

    def action_open_return_wizard(self):
        self.ensure_one()
        return self.env["complaint.reason.wizard"]._open_for(
            self.env._("Return %s", self.display_name), kind="return", res_id=self.id)
