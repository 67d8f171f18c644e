from odoo import fields, models

from .complaint_sla_policy import LEVELS


class ComplaintSlaPenalty(models.Model):
    """What a missed deadline costs, by level: a reminder or a fine, appraisal points and
    amounts for the employee and their manager (domain: 004 第2篇 第九条)."""

    _name = "complaint.sla.penalty"
    _description = "Accountability for a Missed Deadline"
    _order = "policy_id, level, id"

    policy_id = fields.Many2one("complaint.sla.policy", required=True, ondelete="cascade",
                                index=True)
    level = fields.Selection(LEVELS, help="Empty: every level without its own line.")
    measure = fields.Selection(
        [("reminder", "Reminder"), ("reminder_manager", "Reminder to employee and manager"),
         ("fine", "Fine")],
        required=True, default="reminder")
    points = fields.Float(string="Appraisal Points", help="Points deducted from the appraisal.")
    currency_id = fields.Many2one("res.currency", default=lambda self: self.env.company.currency_id)
    amount = fields.Monetary(string="Employee Amount")
    manager_amount = fields.Monetary()
