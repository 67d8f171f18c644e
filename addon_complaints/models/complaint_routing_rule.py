from odoo import api, fields, models


class ComplaintRoutingRule(models.Model):
    """Proposes the responsible department from category, channel and keywords.

    Rules are tried in sequence; the first that matches wins. The complaint office confirms
    or overrides the proposal when it dispatches the case.
    """

    _name = "complaint.routing.rule"
    _description = "Complaint Routing Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    category_id = fields.Many2one("complaint.category", help="Matches this category and its children.")
    channel_id = fields.Many2one("complaint.channel")
    keywords = fields.Char(
        help="Comma-separated words (，also accepted); the rule matches when the subject, "
        "description or demand contains any of them.")
    department_id = fields.Many2one("complaint.department", required=True, check_company=True)

    def _keyword_list(self):
        self.ensure_one()
        text = (self.keywords or "").replace("，", ",").replace("、", ",")
        return [word.strip().lower() for word in text.split(",") if word.strip()]

    def _matches(self, case):
        self.ensure_one()
        if self.company_id != case.company_id:
            return False
        if self.channel_id and self.channel_id != case.channel_id:
            return False
        if self.category_id and not (
            case.category_id and case.category_id.parent_path.startswith(self.category_id.parent_path)
        ):
            return False
        words = self._keyword_list()
        if words:
            text = case._triage_text().lower()
            if not any(word in text for word in words):
                return False
        return True

    @api.model
    def _find_department(self, case):
        """The department proposed for ``case`` by the first matching rule, if any."""
        rules = self.search([("company_id", "=", case.company_id.id)])
        for rule in rules:
            if rule._matches(case):
                return rule.department_id
        return self.env["complaint.department"]

    @api.model
    def _find_category(self, company, text):
        """The category of the first rule of ``company`` whose keywords occur in ``text``:
        how a message that came without a category (an e-mail) is classified."""
        text = (text or "").lower()
        rules = self.search([("company_id", "=", company.id), ("category_id", "!=", False),
                             ("keywords", "!=", False)])
        for rule in rules:
            if any(word in text for word in rule._keyword_list()):
                return rule.category_id
        return self.env["complaint.category"]
