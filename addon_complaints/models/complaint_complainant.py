from odoo import fields, models

# The fields of a case that say who complained: on a confidential case they are kept here.
IDENTITY_FIELDS = ("partner_id", "partner_name", "partner_phone", "partner_email",
                   "partner_address", "partner_id_number")


class ComplaintComplainant(models.Model):
    """Who complained on a confidential case (whistle-blowing, reports).

    The case itself keeps no trace of the complainant while it is confidential: the
    identity lives in this record, which only the complaint office may read (access rights
    and record rules), so that no read, search, grouping, export, copy or related field of
    the case can reveal it. Making a case confidential moves the identity here; lifting
    the confidentiality moves it back."""

    _name = "complaint.complainant"
    _description = "Confidential Complainant"
    _inherit = ["complaint.guard.mixin"]
    _order = "id"
    _check_company_auto = True

    _protected_fields = {"case_id": "complaint.case.action_mark_confidential"}
    _free_fields = set(IDENTITY_FIELDS)

    case_id = fields.Many2one("complaint.case", required=True, index=True, ondelete="restrict",
                              check_company=True)
    company_id = fields.Many2one(related="case_id.company_id", store=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Complainant", ondelete="restrict",
                                 check_company=True)
    partner_name = fields.Char(string="Complainant Name")
    partner_phone = fields.Char(string="Contact Phone")
    partner_email = fields.Char(string="Contact E-mail")
    partner_address = fields.Char(string="Address")
    partner_id_number = fields.Char(string="ID / Credit Code")

    _sql_constraints = [
        ("case_unique", "unique(case_id)", "A case has one confidential complainant."),
    ]

    def _identity_values(self):
        self.ensure_one()
        return {name: self[name].id if name == "partner_id" else self[name]
                for name in IDENTITY_FIELDS}
