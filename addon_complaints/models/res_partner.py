from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    complaint_malicious = fields.Boolean(
        string="Malicious Complainant", tracking=True, copy=False,
        help="Set when a complaint from this customer was ruled malicious (恶意申告).")
    complaint_case_ids = fields.One2many("complaint.case", "partner_id", string="Complaints")
    complaint_case_count = fields.Integer(compute="_compute_complaint_case_count",
                                          string="Complaint Count")

    def _compute_complaint_case_count(self):
        counts = dict(self.env["complaint.case"]._read_group(
            [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]))
        for partner in self:
            partner.complaint_case_count = counts.get(partner, 0)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_complainant(self):
        self.env["complaint.case"]._check_unreferenced(self)

    def action_view_complaints(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("addon_complaints.complaint_case_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
