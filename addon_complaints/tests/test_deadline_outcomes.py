from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common_deadline import DeadlineCase, local


@tagged("post_install", "-at_install")
class TestDeadlineOutcomes(DeadlineCase):
    """Every stage the policy limits keeps its due date and its outcome (met, late, pending),
    whichever way the case changes, so that filters and reports count the same thing."""

    def test_each_stage_stores_its_due_date_and_outcome(self):
        now = fields.Datetime.now()
        on_time = self.replied(date_received=now - timedelta(minutes=5))
        self.assertEqual(on_time.acceptance_outcome, "met")
        self.assertEqual(on_time.reply_outcome, "met")
        self.assertEqual(on_time.handling_outcome, "met")
        self.assertEqual(on_time.callback_outcome, "pending")
        self.assertTrue(on_time.date_acceptance_deadline)
        self.assertEqual(on_time.date_reply_deadline, on_time.date_deadline)
        self.assertFalse(on_time.verification_outcome, "the general policy does not limit it")
        late = self.accepted(date_received=local(2025, 3, 3, 10), category_id=self.cat_quality.id)
        self.assertEqual(late.date_acceptance_deadline, local(2025, 3, 4, 18))
        self.assertEqual(late.acceptance_outcome, "late")
        self.assertEqual(late.reply_outcome, "late", "not replied and past its due date")
        waiting = self.register(date_received=now, category_id=self.cat_service.id,
                                partner_id=self.env["res.partner"].create({"name": "Li"}).id)
        self.assertEqual(waiting.acceptance_outcome, "pending")
        Case = self.env["complaint.case"]
        ours = [("id", "in", (on_time | late | waiting).ids)]
        self.assertEqual(Case.search_count(ours + [("acceptance_outcome", "=", "late")]), 1)
        self.assertEqual(Case.search_count(ours + [("reply_outcome", "=", "late")]), 1)
        self.assertEqual(Case.search_count(ours + [("reply_outcome", "=", "met")]), 1)

    def test_outcomes_follow_pauses_extensions_and_calendar_changes(self):
        self.use_policy(self.policy_securities)
        case = self.handling(date_received=local(2025, 3, 3, 10))
        self.assertEqual(case.reply_outcome, "late")
        # Reply due 6 March 18:00; the reply came on 10 March: late, until an approved
        # extension or a pause moves the due date past it.
        case.sudo().write({"date_replied": local(2025, 3, 10, 12)})
        self.assertEqual(case.reply_outcome, "late")
        extension = case.with_user(self.handler).action_request_extension("Records", 2)
        extension.with_user(self.office).action_approve()
        self.assertEqual(case.date_reply_deadline, local(2025, 3, 10, 18))
        self.assertEqual(case.reply_outcome, "met")
        # A company closing day on 7 March moves the due date one working day later.
        self.env["complaint.calendar.day"].create({
            "name": "Office move", "date": "2025-03-07", "day_type": "holiday",
            "company_id": self.company.id})
        self.assertEqual(case.date_reply_deadline, local(2025, 3, 11, 18))
        self.assertEqual(case.reply_outcome, "met")

    def test_batched_recompute_stores_what_the_form_shows(self):
        cases = (self.handling(date_received=local(2025, 3, 3, 10))
                 | self.replied(date_received=fields.Datetime.now() - timedelta(hours=1),
                                category_id=self.cat_quality.id))
        fields_ = ["date_acceptance_deadline", "acceptance_outcome", "date_reply_deadline",
                   "reply_outcome", "handling_outcome", "callback_outcome"]
        before = cases.read(fields_)
        self.env.cr.execute("UPDATE complaint_case SET reply_outcome = NULL, "
                            "date_reply_deadline = NULL WHERE id = ANY(%s)", [cases.ids])
        cases.invalidate_recordset()
        cases._recompute_deadlines()
        self.assertEqual(cases.read(fields_), before)

    def test_review_stage_has_its_outcome(self):
        self.use_policy(self.policy_cbirc)
        case = self.replied()
        case.with_user(self.office).action_request_review("The customer disputes the amount")
        self.assertEqual(case.review_outcome, "pending")
        case.with_user(self.office).action_decide_review("Result confirmed")
        self.assertEqual(case.review_outcome, "met")
