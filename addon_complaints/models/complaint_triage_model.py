import logging
import time

from odoo import api, fields, models, tools

from ..tools.text_triage import NaiveBayesModel, train

_logger = logging.getLogger(__name__)

# The newest closed cases a model learns from: enough for stable n-gram counts, and a
# training run of a few tens of seconds at most.
MAX_TRAINING_CASES = 50000
TARGETS = [("category", "Category"), ("department", "Department")]


class ComplaintTriageModel(models.Model):
    """What one company's closed cases teach about routing: a category model and a
    department model, learned from the final category and the department that actually
    handled each case. Retrained on a schedule and on demand; silent while the history is
    shorter than the company's minimum."""

    _name = "complaint.triage.model"
    _description = "Complaint Triage Model"
    _inherit = ["complaint.guard.mixin"]
    _order = "company_id, target"
    # Everything here is what training found (see complaint.guard.mixin).
    _protected_fields = dict.fromkeys(
        ("company_id", "target", "state", "payload", "training_cases", "label_count",
         "date_trained", "training_seconds", "note"), "action_retrain")

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True,
                                 ondelete="cascade")
    target = fields.Selection(TARGETS, required=True, readonly=True)
    state = fields.Selection(
        [("ready", "Ready"), ("silent", "Too little history")], required=True, default="silent",
        readonly=True)
    payload = fields.Text(readonly=True, help="The learned n-gram counts (JSON).")
    training_cases = fields.Integer(readonly=True)
    label_count = fields.Integer(string="Labels", readonly=True)
    date_trained = fields.Datetime(string="Trained", readonly=True)
    training_seconds = fields.Float(readonly=True)
    note = fields.Char(readonly=True)

    _sql_constraints = [
        ("company_target_unique", "unique(company_id, target)",
         "A company has one model per target."),
    ]

    # Training ------------------------------------------------------------------------------
    @api.model
    def _cron_train(self):
        """Every company with closed cases (the others have nothing to learn from yet)."""
        groups = self.env["complaint.case"].sudo()._read_group([("state", "=", "closed")], ["company_id"])
        self._train_companies(self.env["res.company"].union(*(company for (company,) in groups)))

    @api.model
    def _train_companies(self, companies):
        for company in companies:
            samples = self._training_samples(company)
            for target, _label in TARGETS:
                self._store_training(company, target, samples[target])

    @api.model
    def _training_samples(self, company):
        """``{target: [(text, label id)]}`` from the company's closed cases, newest first.

        Only the company's own cases, read as the system (a model is the company's, not a
        user's); a confidential case's text only where the company allows it.
        """
        domain = [("company_id", "=", company.id), ("state", "=", "closed")]
        if not company.complaint_triage_use_confidential:
            domain.append(("confidential", "=", False))
        cases = self.env["complaint.case"].sudo().with_context(active_test=False).search_fetch(
            domain, ["subject", "description", "customer_demand", "category_id", "department_id"],
            order="date_closed desc, id desc", limit=MAX_TRAINING_CASES)
        samples = {"category": [], "department": []}
        for case in cases:
            text = case._triage_text()
            if case.category_id:
                samples["category"].append((text, case.category_id.id))
            if case.department_id:
                samples["department"].append((text, case.department_id.id))
        return samples

    @api.model
    def _store_training(self, company, target, samples):
        record = self.sudo().search([("company_id", "=", company.id), ("target", "=", target)])
        if not record:
            record = self.sudo().create({"company_id": company.id, "target": target})
        minimum = company.complaint_triage_min_cases
        labels = {label for _text, label in samples}
        values = {"date_trained": fields.Datetime.now(), "training_cases": len(samples),
                  "label_count": len(labels)}
        if len(samples) < minimum or len(labels) < 2:
            values.update(state="silent", payload=False, training_seconds=0.0, note=self.env._(
                "%(count)s closed cases with a %(target)s; suggestions start at %(minimum)s "
                "(and at least two different ones).",
                count=len(samples), target=dict(self._fields["target"]._description_selection(self.env))[target],
                minimum=minimum))
        else:
            start = time.perf_counter()
            model = train(samples)
            values.update(state="ready", payload=model.to_json(),
                          training_seconds=time.perf_counter() - start, note=False)
            _logger.info("Triage model %s of company %s trained on %s cases in %.1f s",
                         target, company.id, len(samples), values["training_seconds"])
        record.write(values)
        return record

    def action_retrain(self):
        self._train_companies(self.company_id)
        return True

    # Scoring -------------------------------------------------------------------------------
    @api.model
    def _suggest(self, company, text):
        """``{target: (Suggestion or None, model record)}`` for ``text`` in ``company``.

        Read as the system: a clerk gets the suggestion, not the model (its n-grams come from
        other people's complaints, confidential ones included where the company allows it).
        """
        result = {}
        for record in self.sudo().search([("company_id", "=", company.id)]):
            suggestion = None
            if record.state == "ready" and record.payload and (text or "").strip():
                suggestion = self._parsed_model(
                    record.id, (str(record.date_trained), len(record.payload), record.training_cases)).suggest(text)
            result[record.target] = (suggestion, record)
        return result

    @tools.ormcache("model_id", "stamp")
    def _parsed_model(self, model_id, stamp):
        """The model ready to score, parsed once per training (the stamp changes with it)."""
        return NaiveBayesModel.from_json(self.sudo().browse(model_id).payload)
