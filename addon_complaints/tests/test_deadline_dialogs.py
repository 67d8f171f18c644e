from odoo import fields
from odoo.tests import Form, tagged

from .common_deadline import DeadlineCase, local


@tagged("post_install", "-at_install")
class TestDeadlineDialogs(DeadlineCase):
    """The dialogs of the Deadlines tab, each opened from its button by the user who would
    use it, filled in through its form view and confirmed."""

    def fill(self, action, user, values):
        """The dialog as ``user`` sees it in the web client: its form view, filled in."""
        wizard_model = self.env[action["res_model"]].with_user(user).with_context(
            **action["context"])
        with Form(wizard_model) as form:
            for name, value in values.items():
                setattr(form, name, value)
        return form.record

    def test_pause_dialog(self):
        case = self.handling()
        action = case.with_user(self.handler).action_open_pause_wizard()
        self.fill(action, self.handler, {
            "reason": "testing", "note": "Sample sent to the testing centre"}).action_confirm()
        self.assertTrue(case.clock_paused)
        self.assertEqual(case.deadline_status, "paused")
        self.assertEqual(case.pause_ids.reason, "testing")
        self.assertEqual(case.pause_ids.user_id, self.handler)
        case.with_user(self.handler).action_resume_clock()
        self.assertFalse(case.clock_paused)

    def test_extension_request_dialog(self):
        self.use_policy(self.policy_securities)
        case = self.handling(date_received=local(2025, 3, 3, 10))
        action = case.with_user(self.handler).action_open_extension_request_wizard()
        wizard = self.fill(action, self.handler, {
            "stage": "reply", "amount": 5, "reason": "Waiting for the exchange's records"})
        self.assertEqual(wizard.unit, "Working days")
        wizard.action_confirm()
        self.assertEqual(case.extension_ids.state, "requested")
        self.assertEqual(case.extension_ids.requested_by_id, self.handler)
        self.assertTrue(case.has_requested_extension)

    def test_extension_decision_dialog(self):
        self.use_policy(self.policy_securities)
        case = self.handling(date_received=local(2025, 3, 3, 10))
        extension = case.with_user(self.handler)._request_extension("Records", 5)
        action = case.with_user(self.office).action_open_extension_decision_wizard()
        wizard = self.fill(action, self.office, {"decision": "approve"})
        self.assertEqual(wizard.extension_id, extension)
        wizard.action_confirm()
        self.assertEqual(extension.state, "approved")
        self.assertEqual(extension.decided_by_id, self.office)
        self.assertEqual(case.date_deadline, local(2025, 3, 13, 18))
        self.assertFalse(case.has_requested_extension)
        refused = case.with_user(self.handler)._request_extension("More records", 1)
        action = case.with_user(self.office).action_open_extension_decision_wizard()
        self.fill(action, self.office, {"decision": "refuse",
                                        "note": "The records are in"}).action_confirm()
        self.assertEqual(refused.state, "refused")
        self.assertEqual(refused.decision_note, "The records are in")

    def test_review_dialog(self):
        self.use_policy(self.policy_cbirc)
        case = self.replied()
        action = case.with_user(self.office).action_open_review_wizard()
        self.assertEqual(action["context"]["default_kind"], "request")
        self.fill(action, self.office, {"note": "The customer disputes the amount"}).action_confirm()
        self.assertEqual(case.deadline_stage, "review")
        self.assertTrue(case.date_review_deadline)
        action = case.with_user(self.office).action_open_review_wizard()
        self.assertEqual(action["context"]["default_kind"], "decide")
        self.fill(action, self.office, {"note": "Result confirmed"}).action_confirm()
        self.assertTrue(case.date_review_decided)
        self.assertEqual(case.deadline_status, "done")
        self.assertIn("Result confirmed", case.review_note)

    def test_new_facts_dialog(self):
        self.use_policy(self.policy_cbirc)
        case = self.handling(date_received=local(2025, 3, 3, 10))
        self.assertEqual(case.deadline_status, "overdue")
        action = case.with_user(self.handler).action_open_new_facts_wizard()
        self.assertEqual(action["res_model"], "complaint.new.facts.wizard")
        wizard = self.fill(action, self.handler, {"note": "A second invoice with a further charge"})
        self.assertTrue(wizard.restarts_clock)
        wizard.action_confirm()
        self.assertTrue(case.date_clock_restart)
        self.assertGreater(case.date_deadline, fields.Datetime.now())
        self.assertIn("A second invoice", case.message_ids[0].body)
        # Under a policy that does not restart the clock, the facts are only recorded.
        self.use_policy(self.policy_general)
        other = self.handling(date_received=local(2025, 3, 3, 10), category_id=self.cat_quality.id)
        action = other.with_user(self.handler).action_open_new_facts_wizard()
        wizard = self.fill(action, self.handler, {"note": "The parcel number"})
        self.assertFalse(wizard.restarts_clock)
        wizard.action_confirm()
        self.assertFalse(other.date_clock_restart)
        self.assertIn("The parcel number", other.message_ids[0].body)
