from odoo import fields, models


class TransactionId(fields.Integer):
    """A PostgreSQL transaction id (``txid_current()``): a 64-bit integer."""

    _column_type = ("int8", "int8")


class ComplaintCaseReferenceClaim(models.Model):
    """A number of a gap-free complaint reference sequence handed out to a registration and
    not yet seen on a case.

    Written and read only by the numbering (``complaint.case._claim_numbers``), in a short
    transaction of its own: a claim whose case exists is dropped; one whose transaction
    rolled back is handed out again, lowest number first, so that no number is lost.
    Administrators can see the claims in flight; nobody edits them.
    """

    _name = "complaint.case.reference.claim"
    _description = "Complaint Reference Claim"
    _order = "sequence_id, number"
    _log_access = False
    _rec_name = "reference"

    sequence_id = fields.Many2one("ir.sequence", required=True, readonly=True,
                                  ondelete="cascade")
    number = fields.Integer(required=True, readonly=True, aggregator=None)
    reference = fields.Char(required=True, readonly=True)
    claimed_by = TransactionId(string="Claiming Transaction", required=True, readonly=True,
                               aggregator=None)
    claimed_at = fields.Datetime(required=True, readonly=True,
                                 default=fields.Datetime.now)

    _sql_constraints = [
        ("number_once", "UNIQUE(sequence_id, number)", "A number of a sequence is claimed once."),
    ]
