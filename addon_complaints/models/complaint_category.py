from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ComplaintCategory(models.Model):
    """A node of the complaint category tree (goods quality / purchase contract / service …)."""

    _name = "complaint.category"
    _description = "Complaint Category"
    _parent_name = "parent_id"
    _parent_store = True
    _rec_name = "complete_name"
    _order = "complete_name"

    name = fields.Char(required=True, translate=True)
    complete_name = fields.Char(compute="_compute_complete_name", recursive=True, store=True)
    parent_id = fields.Many2one("complaint.category", string="Parent Category", index=True,
                                ondelete="restrict")
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("complaint.category", "parent_id", string="Subcategories")
    code = fields.Char()
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for category in self:
            if category.parent_id:
                category.complete_name = f"{category.parent_id.complete_name} / {category.name}"
            else:
                category.complete_name = category.name

    @api.constrains("parent_id")
    def _check_parent_id(self):
        if self._has_cycle():
            raise ValidationError(self.env._("A category cannot be its own ancestor."))

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used_by_cases(self):
        self.env["complaint.case"]._check_unreferenced(self)
