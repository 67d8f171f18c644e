from odoo import api, models


class ComplaintWizardMixin(models.AbstractModel):
    """What every complaint dialog shares: how it is opened."""

    _name = "complaint.wizard.mixin"
    _description = "Complaint Dialog"

    @api.model
    def _open_for(self, title, **defaults):
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {f"default_{key}": value for key, value in defaults.items()},
        }
