from unittest.mock import patch

from odoo.tests import tagged

from .common_deadline import DeadlineCase, local


@tagged("post_install", "-at_install")
class TestDeadlineRecompute(DeadlineCase):
    """A change of a working calendar, of the calendar of a department or a company, or of a
    policy's limits moves the due dates of the open cases counted on it, through the batched
    recompute (the per-case compute is not used), and leaves the other cases alone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mornings = cls.env["resource.calendar"].create({
            "name": "Mornings only",
            "tz": "Asia/Shanghai",
            "attendance_ids": [
                (0, 0, {"name": f"{day} morning", "dayofweek": str(day), "hour_from": 9,
                        "hour_to": 12, "day_period": "morning"})
                for day in range(5)
            ],
        })
        cls.cat_billing = cls.env["complaint.category"].create({"name": "Billing"})
        cls.cat_staff = cls.env["complaint.category"].create({"name": "Staff attitude"})

    def setUp(self):
        super().setUp()
        self.logistics_case = self.handling(date_received=local(2025, 3, 3, 10))
        self.marketing_case = self.dispatched(department=self.dept_marketing,
                                              assignee=self.handler_mkt,
                                              date_received=local(2025, 3, 3, 10),
                                              category_id=self.cat_quality.id)
        self.undispatched_case = self.register(date_received=local(2025, 3, 3, 10),
                                               category_id=self.cat_billing.id)
        for case in self.cases():
            self.assertEqual(case.date_deadline, local(2025, 3, 6, 18))

    def cases(self):
        return self.logistics_case | self.marketing_case | self.undispatched_case

    def batched_only(self):
        """Fails the test if a case's due dates are computed one by one through the ORM."""
        Case = type(self.env["complaint.case"])
        return patch.object(Case, "_compute_deadlines", autospec=True,
                            side_effect=AssertionError("computed case by case"))

    def test_department_calendar_moves_its_open_cases_only(self):
        order = self.logistics_case._lead_assignment()
        order_due = order.date_deadline
        with self.batched_only():
            self.dept_logistics.resource_calendar_id = self.mornings
        self.assertEqual(self.logistics_case.date_deadline, local(2025, 3, 6, 12))
        self.assertNotEqual(order.date_deadline, order_due)
        self.assertEqual(self.marketing_case.date_deadline, local(2025, 3, 6, 18))
        self.assertEqual(self.undispatched_case.date_deadline, local(2025, 3, 6, 18))

    def test_calendar_attendances_move_the_cases_counted_on_it(self):
        self.dept_logistics.resource_calendar_id = self.mornings
        with self.batched_only():
            self.mornings.attendance_ids.write({"hour_to": 11})
        self.assertEqual(self.logistics_case.date_deadline, local(2025, 3, 6, 11))
        self.assertEqual(self.marketing_case.date_deadline, local(2025, 3, 6, 18))
        with self.batched_only():
            self.mornings.write({"attendance_ids": [(1, attendance.id, {"hour_to": 12})
                                                    for attendance in self.mornings.attendance_ids]})
        self.assertEqual(self.logistics_case.date_deadline, local(2025, 3, 6, 12))

    def test_company_calendar_and_closing_day(self):
        self.dept_logistics.resource_calendar_id = self.mornings
        with self.batched_only():
            self.company.resource_calendar_id = self.mornings.copy({"name": "Mornings (copy)"})
        self.assertEqual(self.undispatched_case.date_deadline, local(2025, 3, 6, 12))
        self.assertEqual(self.marketing_case.date_deadline, local(2025, 3, 6, 12))
        with self.batched_only():
            self.env["resource.calendar.leaves"].create({
                "name": "Office closed", "calendar_id": self.mornings.id,
                "date_from": local(2025, 3, 5, 0), "date_to": local(2025, 3, 5, 23, 59)})
        self.assertEqual(self.logistics_case.date_deadline, local(2025, 3, 7, 12))
        self.assertEqual(self.undispatched_case.date_deadline, local(2025, 3, 6, 12))

    def test_policy_limit_moves_the_cases_under_it(self):
        line = self.policy_general._line_for("reply", "normal")
        closed = self.replied(date_received=local(2025, 3, 3, 10),
                              category_id=self.cat_staff.id)
        closed.with_user(self.office).action_callback("satisfied")
        closed.with_user(self.office).action_close("customer_accepts", "Satisfied")
        closed_due = closed.date_deadline
        with self.batched_only():
            line.time_limit += 1
        for case in self.cases():
            self.assertEqual(case.date_deadline, local(2025, 3, 7, 18))
        self.assertEqual(closed.date_deadline, closed_due, "a closed case keeps its due dates")
        with self.batched_only():
            self.policy_general.write({"line_ids": [(1, line.id, {"time_limit": line.time_limit
                                                                  - 1})]})
        self.assertEqual(self.logistics_case.date_deadline, local(2025, 3, 6, 18))
