from odoo import api, fields, models


class ComplaintNewFactsWizard(models.TransientModel):
    """Record the new facts a complainant brings: the time limits count again from now when
    the case's deadline policy says so."""

    _name = "complaint.new.facts.wizard"
    _inherit = "complaint.wizard.mixin"
    _description = "New Facts"

    case_id = fields.Many2one("complaint.case", required=True, readonly=True)
    restarts_clock = fields.Boolean(
        string="Restarts the Clock", compute="_compute_restarts_clock",
        help="The case's deadline policy counts the time limits again from the new facts.")
    note = fields.Text(string="New Facts", required=True,
                       help="What the complainant brought, and when.")

    @api.depends("case_id")
    def _compute_restarts_clock(self):
        for wizard in self:
            wizard.restarts_clock = wizard.case_id.sudo().sla_policy_id.restart_on_new_facts

    def action_confirm(self):
        self.ensure_one()
        self.case_id.action_record_new_facts(self.note)
        return {"type": "ir.actions.act_window_close"}
