from odoo import fields, models


class ComplaintChannel(models.Model):
    """Where a complaint came in: hotline, e-mail, walk-in, regulator, upstream center, …

    Channels are data so that a company can add its own; the flags tell the rules what a
    channel implies (a regulator-forwarded case is a crisis, for instance).
    """

    _name = "complaint.channel"
    _description = "Complaint Channel"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Stable identifier used by integrations (e.g. hotline, regulator).",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    is_regulator = fields.Boolean(
        string="Regulator-forwarded",
        help="Cases from this channel were forwarded by a regulator: they are crisis cases.",
    )
    is_public_exposure = fields.Boolean(
        string="Media or Internet",
        help="Cases from this channel were reported by media or spread on the internet: "
        "they are crisis cases.",
    )
    sends_email = fields.Boolean(
        string="Reply by E-mail",
        help="Notices to the customer are e-mailed when the customer has an address.",
    )
    requires_readback = fields.Boolean(
        string="Read Back Before Acceptance",
        help="The record is read back to the caller and confirmed (复述确认) before acceptance.")
    description = fields.Text(translate=True)

    _sql_constraints = [
        ("code_unique", "unique(code)", "The channel code must be unique."),
    ]
