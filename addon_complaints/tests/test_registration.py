from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import ComplaintCase


@tagged("post_install", "-at_install")
class TestRegistration(ComplaintCase):

    def test_every_case_gets_a_unique_gap_free_reference(self):
        cases = self.register() | self.register(subject="Other", category_id=self.cat_quality.id)
        numbers = [int(name.rsplit("-", 1)[1]) for name in cases.mapped("name")]
        self.assertEqual(len(set(cases.mapped("name"))), 2)
        self.assertEqual(numbers[1] - numbers[0], 1, "no number is skipped between registrations")
        sequence = self.env.ref("addon_complaints.seq_complaint_case")
        self.assertEqual(sequence.implementation, "no_gap")

    def test_reference_claims_are_seen_by_administrators_and_changed_by_nobody(self):
        """The numbering's claims in flight are records an administrator can list; no role
        writes them but the numbering itself."""
        sequence = self.env["ir.sequence"].create({"name": "Claims", "implementation": "no_gap"})
        claim = self.env["complaint.case.reference.claim"].create({
            "sequence_id": sequence.id, "number": 999999, "reference": "CLAIM-999999", "claimed_by": 2**40})
        self.assertEqual(claim.claimed_by, 2**40, "a transaction id is a 64-bit number")
        admin = new_test_user(self.env, "t_claims_admin",
                              groups="base.group_user,addon_complaints.group_complaint_admin")
        Claims = self.env["complaint.case.reference.claim"]
        self.assertEqual(Claims.with_user(admin).search([("reference", "=", "CLAIM-999999")]), claim)
        for user in (admin, self.office, self.clerk):
            with self.assertRaises(AccessError):
                claim.with_user(user).write({"number": 1})
            with self.assertRaises(AccessError):
                Claims.with_user(user).create({"sequence_id": sequence.id, "number": 1,
                                               "reference": "X", "claimed_by": 1})
            with self.assertRaises(AccessError):
                claim.with_user(user).unlink()
        for user in (self.office, self.clerk):
            with self.assertRaises(AccessError):
                Claims.with_user(user).search([])

    def test_the_registering_user_owns_the_case(self):
        case = self.register()
        self.assertEqual(case.owner_user_id, self.clerk)
        self.assertEqual(case.state, "draft")

    def test_new_complainant_is_created_on_the_fly(self):
        case = self.register(partner_id=False, partner_name="王芳", partner_phone="13912345678",
                             partner_email=False)
        self.assertEqual(case.partner_id.name, "王芳")
        self.assertEqual(case.partner_id.phone, "13912345678")
        again = self.register(partner_id=False, partner_name="王芳", partner_phone="13912345678",
                              category_id=self.cat_quality.id)
        self.assertEqual(again.partner_id, case.partner_id, "a known phone finds the same partner")

    def test_a_complainant_is_required(self):
        with self.assertRaises(ValidationError):
            self.register(partner_id=False, partner_name=False)

    def test_registration_form_in_the_ui(self):
        with Form(self.env["complaint.case"].with_user(self.clerk)) as form:
            form.subject = "包装破损"
            form.channel_id = self.channel_phone
            form.partner_id = self.partner
            form.description = "三箱受潮"
            form.customer_demand = "更换"
            form.priority = "urgent"
        case = form.record
        self.assertEqual(case.partner_name, "Zhang Wei", "the partner fills the contact fields")
        self.assertEqual(case.partner_phone, "13800138000")
        self.assertEqual(case.priority, "urgent")

    def test_mandatory_record_fields_before_acceptance(self):
        case = self.register(description=False)
        with self.assertRaisesRegex(UserError, "complaint content"):
            case.action_accept()

    def test_phone_intake_is_read_back_before_acceptance(self):
        case = self.register(channel_id=self.channel_phone.id)
        with self.assertRaisesRegex(UserError, "read-back"):
            case.action_accept()
        case.readback_confirmed = True
        case.action_accept()
        self.assertEqual(case.state, "accepted")

    def test_consultation_answered_on_the_spot_is_closed_in_one_step(self):
        case = self.register(demand_type="consultation", reply_text="Open 9:00 to 17:00.",
                             customer_demand=False)
        case.action_answer_on_spot()
        self.assertEqual(case.state, "closed")
        self.assertEqual(case.closure_criterion, "customer_accepts")
        self.assertTrue(case.date_closed and case.date_replied and case.date_accepted)
        self.assertEqual(case.notice_ids.notice_type, "reply")

    def test_answer_on_the_spot_needs_the_answer(self):
        case = self.register(demand_type="consultation")
        with self.assertRaisesRegex(UserError, "answer"):
            case.action_answer_on_spot()

    def test_a_report_is_never_answered_on_the_spot(self):
        case = self.register(demand_type="report", reply_text="x")
        with self.assertRaises(UserError):
            case.action_answer_on_spot()

    def test_emergency_notifies_the_leadership_at_once(self):
        case = self.register(is_emergency=True)
        self.assertIn(self.leader.partner_id, case.message_ids.partner_ids)
        self.assertTrue(case.activity_ids.filtered(lambda a: a.user_id == self.leader))

    def test_channels_are_data(self):
        channel = self.env["complaint.channel"].create({"name": "WeChat mini program", "code": "wechat_mp"})
        case = self.register(channel_id=channel.id)
        self.assertEqual(case.channel_id.code, "wechat_mp")

    def test_a_batch_takes_consecutive_references_in_one_step(self):
        single = self.register(category_id=self.cat_quality.id)
        vals = {"subject": "Batch", "channel_id": self.channel_email.id, "partner_name": "Batch",
                "partner_phone": "13500000000", "description": "d"}
        batch = self.env["complaint.case"].with_user(self.clerk).create(
            [dict(vals, partner_phone=f"1350000000{i}") for i in range(5)])
        after = self.register(category_id=self.cat_quality.id, partner_id=False, partner_name="After",
                              partner_phone="13600000000")
        numbers = [int(name.rsplit("-", 1)[1]) for name in (single | batch | after).mapped("name")]
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + 7)), "consecutive, no gap")
