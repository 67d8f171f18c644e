from odoo import api, fields, models
from odoo.exceptions import ValidationError

LEVEL_RANK = {"normal": 0, "urgent": 1, "major": 2, "crisis": 3}


class ComplaintApprovalTier(models.Model):
    """Who approves a compensation proposal: an amount range in company currency, optional
    remedy and case-level conditions, and an ordered chain of approval steps.

    Every tier that matches a proposal adds its steps to the chain, in tier order; the
    chain is computed when the proposal is submitted and then frozen on it."""

    _name = "complaint.approval.tier"
    _description = "Compensation Approval Tier"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10, help="Tiers add their steps to the chain in this order.")
    company_id = fields.Many2one("res.company", required=True, index=True,
                                 default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    amount_min = fields.Monetary(
        string="Above", currency_field="currency_id",
        help="Applies to amounts strictly above this one, in company currency; zero starts at "
        "zero.")
    amount_max = fields.Monetary(
        string="Up to", currency_field="currency_id",
        help="Applies to amounts up to and including this one, in company currency; zero for "
        "no upper limit.")
    remedy_type_ids = fields.Many2many(
        "complaint.remedy.type", string="Remedies",
        help="Applies only to these remedies; empty for every remedy.")
    min_level = fields.Selection(
        selection="_selection_min_level", string="From Case Level",
        help="Applies only to cases of this level or higher; empty for every level.")
    step_ids = fields.One2many("complaint.approval.tier.step", "tier_id", string="Approval Steps",
                               copy=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("amounts_positive", "CHECK(amount_min >= 0 AND amount_max >= 0)",
         "Tier amounts cannot be negative."),
    ]

    @api.model
    def _selection_min_level(self):
        return self.env["complaint.case"]._fields["level"]._description_selection(self.env)

    @api.constrains("amount_min", "amount_max")
    def _check_amount_range(self):
        for tier in self:
            if tier.amount_max and tier.currency_id.compare_amounts(tier.amount_max,
                                                                    tier.amount_min) <= 0:
                raise ValidationError(self.env._(
                    "The upper limit of %(tier)s must be above its lower limit.", tier=tier.name))

    @api.constrains("step_ids")
    def _check_step_ids(self):
        for tier in self:
            if not tier.step_ids:
                raise ValidationError(self.env._("The tier %s needs at least one approval step.",
                                                 tier.name))

    @api.model_create_multi
    def create(self, vals_list):
        tiers = super().create(vals_list)
        tiers._check_step_ids()
        return tiers

    def _matches(self, amount, remedy_type, level):
        """Does this tier apply to a proposal of ``amount`` (company currency)?"""
        self.ensure_one()
        currency = self.currency_id
        if self.amount_min and currency.compare_amounts(amount, self.amount_min) <= 0:
            return False
        if self.amount_max and currency.compare_amounts(amount, self.amount_max) > 0:
            return False
        if self.remedy_type_ids and remedy_type not in self.remedy_type_ids:
            return False
        return not (self.min_level
                    and LEVEL_RANK.get(level or "normal", 0) < LEVEL_RANK[self.min_level])

    @api.model
    def _find_for(self, compensation):
        """The tiers that apply to a compensation proposal, in chain order."""
        tiers = self.search([("company_id", "=", compensation.company_id.id)])
        return tiers.filtered(lambda tier: tier._matches(
            compensation.amount_company, compensation.remedy_type_id, compensation.level))
