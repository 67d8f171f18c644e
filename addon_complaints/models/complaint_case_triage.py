import functools
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup, escape
from odoo import api, fields, models
from odoo.osv import expression

from ..tools.text_similarity import (
    Evidence,
    normalise_phone,
    normalise_target,
    rank_candidates,
    shingle_jaccard,
    shingles,
)
from .complaint_case import GROUP_COMPLAINT_SIZE, OPEN_STATES

TEXT_FIELDS = ("subject", "description", "customer_demand")
# Cases "about the same event" for the group-complaint signal.
GROUP_TEXT_SIMILARITY = 0.3
MAX_CANDIDATES = 5
# What a case is about, besides the employee complained about (see _same_target).
TARGET_TEXT_FIELDS = ("respondent", "location", "product_info")
# What the group signal reads of each case in the window (stored columns, read as rows).
GROUP_FIELDS = TEXT_FIELDS + TARGET_TEXT_FIELDS + (
    "respondent_user_id", "date_received", "partner_id", "partner_phone_normalized",
    "affected_count", "state", "group_complaint_size")


def triage_text(texts):
    """The text triage reads: the values of ``TEXT_FIELDS``, in that order, the empty ones
    left out (from a record, a vals dict or a row read with ``_rows_where``)."""
    return " ".join(filter(None, texts))


SUGGESTION_FIELDS = ("triage_category_id", "triage_category_confidence", "triage_department_id",
                     "triage_department_confidence", "triage_prefilled", "triage_explanation")


class ComplaintCase(models.Model):
    """Triage of complaint.case: a suggested category and department learned from the
    company's closed cases, possible repeats, and the group-complaint signal."""

    _inherit = "complaint.case"  # pylint: disable=consider-merging-classes-inherited
    # The suggestion is the server's own, given at registration; the group signal is set
    # by the server alone (see complaint.guard.mixin).
    _protected_fields = {
        **dict.fromkeys(SUGGESTION_FIELDS, "registration (the server scores the text)"),
        "group_complaint_size": "the group-complaint signal",
    }
    _initial_fields = set(SUGGESTION_FIELDS)
    _free_fields = {"repeat_candidate_ids"}

    triage_category_id = fields.Many2one("complaint.category", string="Suggested Category",
                                         readonly=True, copy=False)
    triage_category_confidence = fields.Float(string="Category Confidence", readonly=True,
                                              copy=False, digits=(3, 2))
    triage_department_id = fields.Many2one("complaint.department", string="Suggested Department",
                                           readonly=True, copy=False)
    triage_department_confidence = fields.Float(string="Department Confidence", readonly=True,
                                                copy=False, digits=(3, 2))
    triage_prefilled = fields.Boolean(
        string="Category Pre-filled", readonly=True, copy=False,
        help="The suggestion was confident enough to fill the category at registration.")
    triage_category_outcome = fields.Selection(
        [("kept", "Suggested and kept"), ("changed", "Suggested, changed by the clerk"),
         ("offered", "Offered, chosen by the clerk")],
        compute="_compute_triage_category_outcome", store=True, tracking=True,
        string="Category Suggestion")
    triage_explanation = fields.Html(string="Why", readonly=True, copy=False, sanitize=True)
    proposed_department_suggested = fields.Boolean(
        compute="_compute_proposed_department_id",
        help="The proposed department comes from the suggestion, no routing rule matched.")
    partner_phone_normalized = fields.Char(
        compute="_compute_partner_phone_normalized", store=True, index=True,
        groups="addon_complaints.group_complaint_office")
    # Decided at intake (clerk, office); handlers see the case without them.
    repeat_candidate_ids = fields.One2many("complaint.repeat.candidate", "case_id",
                                           string="Possible Repeats", copy=False,
                                           groups="addon_complaints.group_complaint_intake")
    group_complaint_size = fields.Integer(
        readonly=True, copy=False,
        help="Customers who complained about the same target with a similar text in the "
        "group window (set by the group-complaint signal).")

    # Computes -------------------------------------------------------------------------------
    @api.depends("category_id", "triage_category_id", "triage_prefilled")
    def _compute_triage_category_outcome(self):
        for case in self:
            if not case.triage_category_id or not case.category_id:
                case.triage_category_outcome = False
            elif case.triage_prefilled:
                case.triage_category_outcome = (
                    "kept" if case.category_id == case.triage_category_id else "changed")
            else:
                case.triage_category_outcome = "offered"

    @api.depends("partner_phone")
    def _compute_partner_phone_normalized(self):
        for case in self:
            case.partner_phone_normalized = normalise_phone(case.partner_phone) or False

    # The override on top of the others: its dependencies are the field's, so they repeat
    # those of every other override (the e-mail intake's department included).
    @api.depends("category_id", "channel_id", "subject", "description", "customer_demand",
                 "company_id", "intake_department_id", "triage_department_id",
                 "triage_department_confidence")
    def _compute_proposed_department_id(self):
        """The company's routing rules first; where none matches, a confident suggestion."""
        res = super()._compute_proposed_department_id()
        for case in self:
            suggested = (not case.proposed_department_id and case.triage_department_id
                         and case.triage_department_confidence
                         >= case.company_id.complaint_triage_threshold)
            case.proposed_department_suggested = bool(suggested)
            if suggested:
                case.proposed_department_id = case.triage_department_id
        return res

    @api.depends("repeat_count", "channel_id.is_regulator", "channel_id.is_public_exposure",
                 "affected_count", "group_complaint_size")
    def _compute_level(self):
        res = super()._compute_level()
        for case in self:
            if case.group_complaint_size >= GROUP_COMPLAINT_SIZE:
                case.level = "crisis"
        return res

    # Suggestions ----------------------------------------------------------------------------
    def _triage_text(self):
        self.ensure_one()
        return triage_text(self[f] for f in TEXT_FIELDS)

    @api.model
    def _triage_values(self, company, text, category_id=False):
        """The suggestion fields for ``text``, and the category to fill when the clerk has
        not chosen one and the suggestion is confident enough."""
        found = self.env["complaint.triage.model"]._suggest(company, text)
        threshold = company.complaint_triage_threshold
        values = {"triage_category_id": False, "triage_category_confidence": 0.0,
                  "triage_department_id": False, "triage_department_confidence": 0.0,
                  "triage_prefilled": False, "triage_explanation": False}
        parts = []
        for target, comodel in (("category", "complaint.category"),
                                ("department", "complaint.department")):
            suggestion, record = found.get(target, (None, None))
            if record is None:
                continue
            if record.state != "ready":
                parts.append(Markup("<p>%s</p>") % record.note)
                continue
            if suggestion is None:
                continue
            ranking = [(self.env[comodel].sudo().browse(label).exists(), confidence)
                       for label, confidence in suggestion.ranking]
            ranking = [(label, confidence) for label, confidence in ranking if label]
            if not ranking:
                continue
            best, confidence = ranking[0]
            values[f"triage_{target}_id"] = best.id
            values[f"triage_{target}_confidence"] = confidence
            parts.append(self._triage_explain(target, ranking, suggestion.reasons, confidence >= threshold))
            if target == "category" and confidence >= threshold:
                values["triage_prefilled"] = True
                if not category_id:
                    values["category_id"] = best.id
        reasons = sorted({r for part in found.values() if part[0] for r in part[0].reasons},
                         key=len, reverse=True)
        if parts:
            values["triage_explanation"] = Markup("").join(parts) + self._triage_highlight(text, reasons)
        return values

    @api.model
    def _triage_explain(self, target, ranking, reasons, confident):
        label = self.env._("Category") if target == "category" else self.env._("Department")
        words = Markup(" ").join(Markup("<mark>%s</mark>") % r for r in reasons)
        best, confidence = ranking[0]
        if confident:
            head = self.env._("%(what)s suggested: %(name)s (%(percent)s%%)", what=label,
                              name=best.display_name, percent=round(confidence * 100))
        else:
            head = self.env._("%(what)s, most likely: %(options)s", what=label, options=", ".join(
                f"{option.display_name} ({round(p * 100)}%)" for option, p in ranking[:3]))
        return Markup("<p><b>%s</b> — %s %s</p>") % (head, self.env._("because of:"), words)

    @api.model
    def _triage_highlight(self, text, reasons):
        """The text with the n-grams that weighed most marked."""
        if not reasons:
            return Markup("")
        out, position, lowered = [], 0, text.lower()
        while position < len(text):
            match = next((r for r in reasons if lowered.startswith(r, position)), None)
            if match:
                out.append(Markup("<mark>%s</mark>") % text[position:position + len(match)])
                position += len(match)
            else:
                out.append(escape(text[position]))
                position += 1
        return Markup("<blockquote>%s</blockquote>") % Markup("").join(out)

    @api.onchange("subject", "description", "customer_demand")
    def _onchange_triage_text(self):
        """Suggest while the clerk types; fill the category only if they have not chosen one
        (or it is still the previous suggestion)."""
        for case in self:
            company = case.company_id or self.env.company
            chosen = case.category_id if case.category_id != case.triage_category_id else False
            values = self._triage_values(company, case._triage_text(), chosen and chosen.id)
            if not chosen and "category_id" not in values and case.triage_prefilled:
                values["category_id"] = False
            case.update(values)

    @api.model
    def _triage_prepare_vals(self, vals_list):
        """Suggestions for cases created without the form (portal, e-mail, worker import)
        and for those from the form: the server scores the text again, so what is stored is
        what the model said, whatever the client sent."""
        for vals in vals_list:
            for name in SUGGESTION_FIELDS:
                vals.pop(name, None)
            text = triage_text(vals.get(f) for f in TEXT_FIELDS)
            if not text.strip():
                continue
            company = self.env["res.company"].browse(vals.get("company_id") or self.env.company.id)
            vals.update(self._triage_values(company, text, vals.get("category_id")))

    # CRUD -------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._triage_prepare_vals(vals_list)
        cases = super().create(vals_list)
        self.env["complaint.case.text.band"]._index_cases(cases)
        cases._list_possible_repeats()
        cases._signal_group_complaints()
        return cases

    def write(self, vals):
        res = super().write(vals)
        if any(f in vals for f in TEXT_FIELDS + ("date_received",)):
            self.env["complaint.case.text.band"]._index_cases(self)
        return res

    def action_find_possible_repeats(self):
        """Look again after the text changed (whoever may edit the case)."""
        self.check_access("write")
        self._list_possible_repeats()
        return True

    # Possible repeats -----------------------------------------------------------------------
    def _list_possible_repeats(self):
        """List, for each case, the earlier cases that may be the same matter: a similar
        text (MinHash bands), the same normalised phone or ID number, the same store,
        product or employee, within the company's window. Ranked; nothing is linked."""
        # Repeats are looked for across the whole company, as the existing repeat rule does:
        # a clerk sees only their own cases, the search must not be limited to them.
        Cases = self.env["complaint.case"].sudo()
        Candidate = self.env["complaint.repeat.candidate"].sudo()
        Band = self.env["complaint.case.text.band"]
        # a batch meets the same earlier texts again and again: each is cut once per call
        cut = functools.lru_cache(maxsize=4096)(shingles)
        listed = []
        for case in self.sudo():
            if case.state == "merged":
                continue
            since = case.date_received - timedelta(days=case.company_id.complaint_similar_window_days or 90)
            found = defaultdict(dict)
            for other_id, _shared in Band._cases_sharing_bands(case, since):
                found[other_id]["text"] = True
            base = [("company_id", "=", case.company_id.id), ("id", "!=", case.id),
                    ("date_received", ">=", since), ("date_received", "<=", case.date_received)]
            if case.partner_phone_normalized:
                for other in Cases.search(base + [("partner_phone_normalized", "=", case.partner_phone_normalized)],
                                         limit=20):
                    found[other.id]["same_phone"] = True
            if case.partner_id_number:
                for other in Cases.search(base + [("partner_id_number", "=ilike", case.partner_id_number.strip())],
                                         limit=20):
                    found[other.id]["same_id_number"] = True
            for other in Cases.search(base + case._same_target_domain(), limit=50):
                found[other.id]["same_target"] = True
            exclude = {case.repeat_of_id.id} | set(case.repeat_candidate_ids.candidate_id.ids)
            others = Cases._rows_where([("id", "in", [i for i in found if i not in exclude]),
                                        ("state", "not in", ("merged", "not_accepted"))], TEXT_FIELDS)
            ranked = rank_candidates(case._triage_text(), [
                Evidence(other_id, triage_text(texts), **{
                    flag: bool(found[other_id].get(flag))
                    for flag in ("same_phone", "same_id_number", "same_target")})
                for other_id, *texts in others], limit=MAX_CANDIDATES, cut=cut)
            listed += [{
                "case_id": case.id, "candidate_id": c.key, "score": c.score,
                "text_similarity": c.text_similarity, "same_phone": c.same_phone,
                "same_id_number": c.same_id_number, "same_target": c.same_target,
            } for c in ranked]
        Candidate.create(listed)

    def _same_target(self):
        """What the case is about, as ``(field, value)`` pairs: its employee, and its store,
        respondent or product when they say something once spaces and punctuation are gone.
        Another case is about the same target when it has one of these pairs."""
        self.ensure_one()
        pairs = []
        if self.respondent_user_id:
            pairs.append(("respondent_user_id", self.respondent_user_id.id))
        for fname in TARGET_TEXT_FIELDS:
            if normalise_target(self[fname]):
                pairs.append((fname, self[fname]))
        return pairs

    def _same_target_domain(self):
        """Cases about the same store, product or employee (an impossible domain if none)."""
        pairs = self._same_target()
        if not pairs:
            return [("id", "=", False)]
        return expression.OR([[(fname, "=", value)] for fname, value in pairs])

    def _rows_where(self, domain, fnames):
        """The stored ``fnames`` (and id) of the cases matching ``domain``, as plain tuples
        read in one query: comparing a case with thousands of others through records would
        spend most of its time building them. Meant for sudo() searches, as no access is
        checked beyond the search's own."""
        query = self._search(domain)
        columns = [self._field_to_sql(query.table, fname, query) for fname in ("id", *fnames)]
        return self.env.execute_query(query.select(*columns))

    # Group complaints -----------------------------------------------------------------------
    def _signal_group_complaints(self):
        """Many customers complaining about the same target with a similar text within the
        company's group window is a group complaint (domain rule: ten or more customers,
        same event, close in time): its open cases become crisis and the office is told."""
        Cases = self.env["complaint.case"].sudo()
        todo = defaultdict(list)  # company: [(case, its target pairs)]
        for case in self.sudo():
            pairs = case._same_target() if case.state in OPEN_STATES else []
            if pairs:
                todo[case.company_id].append((case, pairs))
        # A busy target has thousands of cases in the window, each compared with every new
        # case: the window of the whole batch is read once, as plain rows, and each pair of
        # distinct texts is compared once per call (a batch meets the same peers again and
        # again).
        cut = functools.cache(shingles)

        @functools.cache
        def alike(text, other):
            return shingle_jaccard(cut(text), cut(other)) >= GROUP_TEXT_SIMILARITY

        sizes = {}  # case id: the group size this call gives it
        for company, batch in todo.items():
            window = timedelta(hours=company.complaint_group_window_hours or 72)
            received = [case.date_received for case, _pairs in batch]
            rows = Cases._rows_where(expression.AND([
                [("company_id", "=", company.id),
                 ("date_received", ">=", min(received) - window),
                 ("date_received", "<=", max(received) + window),
                 ("state", "not in", ("not_accepted", "merged"))],
                expression.OR([[(fname, "=", value)] for fname, value in
                               {pair for _case, pairs in batch for pair in pairs}]),
            ]), GROUP_FIELDS)
            columns = {fname: position for position, fname in enumerate(("id", *GROUP_FIELDS))}
            by_id, by_text = {}, defaultdict(list)
            for row in rows:
                by_id[row[0]] = row
                by_text[triage_text(row[columns[f]] for f in TEXT_FIELDS)].append(row)
            for case, pairs in batch:
                mine = case._triage_text()
                low, high = case.date_received - window, case.date_received + window
                event = [by_id[case.id]]
                for text, same_text in by_text.items():
                    if alike(mine, text):
                        event += [row for row in same_text
                                  if row[0] != case.id and low <= row[columns["date_received"]] <= high
                                  and any(row[columns[fname]] == value for fname, value in pairs)]
                customers = {row[columns["partner_id"]] or row[columns["partner_phone_normalized"]]
                             or f"case-{row[0]}" for row in event}
                size = max(len(customers), sum(row[columns["affected_count"]] or 0 for row in event)
                           if len(event) > 1 else 0)
                if size < GROUP_COMPLAINT_SIZE:
                    continue
                open_rows = [row for row in event if row[columns["state"]] in OPEN_STATES]
                newly = [row[0] for row in open_rows
                         if sizes.get(row[0], row[columns["group_complaint_size"]] or 0) < GROUP_COMPLAINT_SIZE]
                # Only the case itself and the cases this raises to crisis are written:
                # rewriting every earlier case of a large group at each new one would lock
                # (and retrack) them all, under the clerks and handlers working on them.
                for raised in [case.id] + newly:
                    sizes[raised] = size
                if newly:
                    case._notify_group_complaint(Cases.browse([row[0] for row in open_rows]), size)
        # one write per size for the whole batch, not one per case
        by_size = defaultdict(list)
        for case_id, size in sizes.items():
            by_size[size].append(case_id)
        # The deadlines these writes move are counted once, for all of them, at the end.
        deferred = Cases.with_context(complaint_calendar_marks_deferred=True)
        for size, ids in by_size.items():
            deferred.browse(ids).filtered(lambda c, size=size: c.group_complaint_size != size).write(
                {"group_complaint_size": size})
        if sizes:
            Cases._notify_calendar_marks(list(sizes))

    def _notify_group_complaint(self, cases, size):
        self.ensure_one()
        office = self._complaint_office()
        user = self._office_user(office)
        body = self.env._(
            "Group complaint: %(count)s customers about the same target with similar complaints "
            "(%(refs)s). The cases are raised to crisis level.",
            count=size, refs=", ".join(cases.mapped("name")))
        self.message_post(body=body, partner_ids=(office.member_ids | user).partner_id.ids,
                          message_type="comment", subtype_xmlid="mail.mt_comment")
        if user:
            self.activity_schedule("mail.mail_activity_data_todo", user_id=user.id,
                                   summary=self.env._("Group complaint"), note=body)
