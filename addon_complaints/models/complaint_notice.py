from odoo import fields, models


class ComplaintNotice(models.Model):
    """Proof that the customer was told something: when, through which channel, what.

    Receipts, decisions, delay notices and replies are all kept, never edited afterwards.
    """

    _name = "complaint.notice"
    _description = "Notice to the Complainant"
    _inherit = ["complaint.guard.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True
    # Proof of what the customer was told: written once by the step that told them.
    _protected_fields = dict.fromkeys(
        ("case_id", "notice_type", "date", "user_id", "channel_id", "recipient", "subject",
         "content", "reason", "new_expected_date", "mail_message_id"),
        "complaint.case._send_notice")

    case_id = fields.Many2one("complaint.case", required=True, ondelete="restrict", index=True,
                              check_company=True)
    company_id = fields.Many2one(related="case_id.company_id", store=True)
    notice_type = fields.Selection(
        [("receipt", "Acceptance receipt"),
         ("not_accepted", "Not accepted"),
         ("delay", "Delay notice"),
         ("reply", "Reply"),
         ("withdrawal", "Withdrawal confirmation")],
        required=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    user_id = fields.Many2one("res.users", string="Sent by", required=True,
                              default=lambda self: self.env.user)
    channel_id = fields.Many2one("complaint.channel", required=True)
    recipient = fields.Char(help="Name and address or number the notice went to.")
    subject = fields.Char()
    content = fields.Html(sanitize_style=True)
    reason = fields.Text(help="For delay notices: why the deadline will be missed.")
    new_expected_date = fields.Datetime(help="For delay notices: when the customer can expect a result.")
    mail_message_id = fields.Many2one("mail.message", string="E-mail", readonly=True)
