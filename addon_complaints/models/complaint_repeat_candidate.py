from odoo import fields, models
from odoo.exceptions import UserError


class ComplaintRepeatCandidate(models.Model):
    """An earlier case that may be the same matter as a new one, with why it was listed.

    Listed by the system when a case is registered; the clerk confirms it (the case is then
    linked and counted exactly as the same-customer-same-category rule does) or dismisses
    it. Nothing is linked without that decision.
    """

    _name = "complaint.repeat.candidate"
    _description = "Possible Repeat Complaint"
    _inherit = ["complaint.guard.mixin"]
    _order = "case_id, score desc, id"
    # Found by the server's search, decided by the clerk's steps (see complaint.guard.mixin).
    _protected_fields = dict.fromkeys(
        ("case_id", "candidate_id", "score", "text_similarity", "same_phone", "same_id_number",
         "same_target"), "action_find_possible_repeats") | dict.fromkeys(
        ("state", "decided_by_id", "date_decided"), "action_confirm, action_dismiss")
    _check_company_auto = True

    case_id = fields.Many2one("complaint.case", string="New Case", required=True, index=True,
                              ondelete="cascade", readonly=True, check_company=True)
    candidate_id = fields.Many2one("complaint.case", string="Earlier Case", required=True,
                                   ondelete="cascade", readonly=True, check_company=True)
    company_id = fields.Many2one(related="case_id.company_id", store=True, index=True)
    score = fields.Float(readonly=True, digits=(3, 2), help="Higher is more likely the same matter.")
    text_similarity = fields.Float(readonly=True, digits=(3, 2),
                                   help="Share of character pairs the two texts have in common.")
    same_phone = fields.Boolean(readonly=True)
    same_id_number = fields.Boolean(string="Same ID", readonly=True)
    same_target = fields.Boolean(readonly=True, help="Same store, product or employee complained about.")
    reason = fields.Char(compute="_compute_reason")
    # Shown through related fields (read as the system): the clerk may not open the earlier
    # case, but needs its reference and subject to decide.
    candidate_name = fields.Char(related="candidate_id.name", string="Earlier Case Reference")
    candidate_subject = fields.Char(related="candidate_id.subject", string="Subject")
    candidate_date = fields.Datetime(related="candidate_id.date_received", string="Received")
    candidate_state = fields.Selection(related="candidate_id.state", string="Status")
    state = fields.Selection(
        [("proposed", "To Decide"), ("confirmed", "Confirmed Repeat"), ("dismissed", "Dismissed")],
        default="proposed", required=True, readonly=True)
    decided_by_id = fields.Many2one("res.users", readonly=True)
    date_decided = fields.Datetime(readonly=True)

    _sql_constraints = [
        ("case_candidate_unique", "unique(case_id, candidate_id)",
         "An earlier case is listed once per new case."),
    ]

    def _compute_reason(self):
        for line in self:
            reasons = []
            if line.text_similarity:
                reasons.append(self.env._("similar text (%(percent)s%%)",
                                          percent=round(line.text_similarity * 100)))
            if line.same_phone:
                reasons.append(self.env._("same phone"))
            if line.same_id_number:
                reasons.append(self.env._("same ID number"))
            if line.same_target:
                reasons.append(self.env._("same store, product or employee"))
            line.reason = ", ".join(reasons)

    def _check_decidable(self):
        for line in self:
            line.case_id.check_access("write")
            if line.state != "proposed":
                raise UserError(self.env._("This possible repeat has already been decided."))
            if line.case_id.repeat_of_id:
                raise UserError(self.env._("%(case)s is already recorded as a repeat of %(original)s.",
                                           case=line.case_id.name, original=line.case_id.repeat_of_id.name))

    def action_confirm(self):
        """The clerk confirms: the case is a repeat of the earlier one, linked and counted
        by the repeat rule of the case (an open original takes the repeat on)."""
        self._check_decidable()
        for line in self:
            line.case_id._record_repeats({line.case_id.id: line.candidate_id.sudo()})
            line.sudo().write({"state": "confirmed", "decided_by_id": self.env.user.id,
                               "date_decided": fields.Datetime.now()})
            line.case_id.message_post(body=self.env._(
                "%(user)s confirmed this case repeats %(original)s (%(reason)s).",
                user=self.env.user.name, original=line.candidate_id.sudo().name, reason=line.reason))
        return True

    def action_dismiss(self):
        self._check_decidable()
        self.sudo().write({"state": "dismissed", "decided_by_id": self.env.user.id,
                           "date_decided": fields.Datetime.now()})
        return True
