from datetime import datetime, timedelta

from .common import ComplaintCase

SHANGHAI = timedelta(hours=8)


def local(*args):
    """A Beijing-time moment as Odoo stores it (naive UTC)."""
    return datetime(*args) - SHANGHAI


class DeadlineCase(ComplaintCase):
    """The test company works Monday to Friday, 9:00–12:00 and 13:00–18:00, Beijing time, on
    the official mainland China calendar shipped with the product."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create({
            "name": "Beijing office hours",
            "tz": "Asia/Shanghai",
            "attendance_ids": [
                (0, 0, {"name": f"{day} {period}", "dayofweek": str(day), "hour_from": start,
                        "hour_to": end, "day_period": period})
                for day in range(5)
                for period, start, end in (("morning", 9, 12), ("afternoon", 13, 18))
            ],
        })
        cls.company.resource_calendar_id = cls.calendar
        cls.policy_general = cls.env.ref("addon_complaints.complaint_sla_policy_general")
        cls.policy_tobacco = cls.env.ref("addon_complaints.complaint_sla_policy_tobacco")
        cls.policy_insurance = cls.env.ref("addon_complaints.complaint_sla_policy_insurance")
        cls.policy_securities = cls.env.ref("addon_complaints.complaint_sla_policy_securities")
        cls.policy_airline = cls.env.ref("addon_complaints.complaint_sla_policy_airline")
        cls.policy_cbirc = cls.env.ref("addon_complaints.complaint_sla_policy_cbirc")
        cls.company.complaint_sla_policy_id = cls.policy_general

    def working_time(self, start=None, end=None):
        start = start or local(2024, 12, 1)
        end = end or local(2027, 12, 31)
        return self.env["complaint.calendar.day"]._working_time(self.calendar, self.company,
                                                                start, end)

    def use_policy(self, policy):
        self.company.complaint_sla_policy_id = policy
