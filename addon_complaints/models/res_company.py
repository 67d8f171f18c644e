from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    complaint_retention_years = fields.Integer(
        string="Complaint Retention (years)", default=20,
        help="Closed cases are kept at least this long; the archive date is closure plus this.")
    complaint_registration_approval = fields.Boolean(
        string="Approve Registrations Before Dispatch",
        help="A department head approves each registration before it is dispatched (tobacco rule).")
    complaint_repeat_window_days = fields.Integer(
        string="Repeat Window (days)", default=365,
        help="A complaint from the same customer in the same category within this many days "
        "of an earlier one is a repeat of the same matter.")
    complaint_sla_policy_id = fields.Many2one(
        "complaint.sla.policy", string="Default Deadline Policy",
        help="Applies to every case that no more specific deadline policy matches.")

    @api.model
    def _complaint_set_default_sla_policy(self):
        """Give every company without one the general deadline policy (at install)."""
        general = self.env.ref("addon_complaints.complaint_sla_policy_general",
                               raise_if_not_found=False)
        if general:
            self.sudo().search([("complaint_sla_policy_id", "=", False)]).write(
                {"complaint_sla_policy_id": general.id})

    def write(self, vals):
        res = super().write(vals)
        if "resource_calendar_id" in vals:
            # The company's cases are counted on its new calendar (batched, see
            # complaint.case._recompute_deadlines_where).
            self.env["complaint.case"]._recompute_deadlines_where(
                [("company_id", "in", self.ids)])
        return res
