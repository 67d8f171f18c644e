from odoo import fields, models


class ComplaintReviewWizard(models.TransientModel):
    """The complainant asks for a review (核查) of the result; the complaint office records the
    request, then the decision."""

    _name = "complaint.review.wizard"
    _inherit = "complaint.wizard.mixin"
    _description = "Review of a Result"

    case_id = fields.Many2one("complaint.case", required=True, readonly=True)
    kind = fields.Selection([("request", "Review requested"), ("decide", "Review decided")],
                            required=True, readonly=True)
    note = fields.Text(required=True, help="What the complainant disputes, or what the review "
                       "decided.")

    def action_confirm(self):
        self.ensure_one()
        if self.kind == "request":
            self.case_id.action_request_review(self.note)
        else:
            self.case_id.action_decide_review(self.note)
        return {"type": "ir.actions.act_window_close"}
