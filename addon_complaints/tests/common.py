from odoo.tests import TransactionCase, new_test_user

INTAKE = "addon_complaints.group_complaint_intake"
HANDLER = "addon_complaints.group_complaint_handler"
MANAGER = "addon_complaints.group_complaint_manager"
OFFICE = "addon_complaints.group_complaint_office"
LEADERSHIP = "addon_complaints.group_complaint_leadership"


class ComplaintCase(TransactionCase):
    """A small company: a complaint office, a logistics center with a county office below
    it, a marketing center, and one user per role. Tests act as the least-privileged user
    that can do the thing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False, mail_notrack=False,
                                       no_reset_password=True))
        cls.company = cls.env.company
        cls.clerk = new_test_user(cls.env, "t_clerk", groups=f"base.group_user,{INTAKE}",
                                  name="Clerk Li", email="clerk@example.com")
        cls.clerk2 = new_test_user(cls.env, "t_clerk2", groups=f"base.group_user,{INTAKE}",
                                   name="Clerk Ma")
        cls.handler = new_test_user(cls.env, "t_handler", groups=f"base.group_user,{HANDLER}",
                                    name="Handler Wang")
        cls.handler_mkt = new_test_user(cls.env, "t_handler_mkt", groups=f"base.group_user,{HANDLER}",
                                        name="Handler Sun")
        cls.manager = new_test_user(cls.env, "t_manager", groups=f"base.group_user,{MANAGER}",
                                    name="Manager Zhao")
        cls.county_handler = new_test_user(cls.env, "t_county", groups=f"base.group_user,{HANDLER}",
                                           name="County Handler Hu")
        cls.office = new_test_user(cls.env, "t_office", groups=f"base.group_user,{OFFICE}",
                                   name="Office Chen")
        cls.office2 = new_test_user(cls.env, "t_office2", groups=f"base.group_user,{OFFICE}",
                                    name="Office Liu")
        cls.leader = new_test_user(cls.env, "t_leader", groups=f"base.group_user,{LEADERSHIP}",
                                   name="Leader Xu")
        cls.outsider = new_test_user(cls.env, "t_outsider", groups="base.group_user", name="Outsider")

        Department = cls.env["complaint.department"]
        cls.dept_root = Department.create({"name": "Head Office"})
        cls.dept_office = Department.create({
            "name": "Complaint Office", "parent_id": cls.dept_root.id, "is_complaint_office": True,
            "manager_id": cls.office.id, "member_ids": [(6, 0, [cls.office.id, cls.office2.id])],
        })
        cls.dept_logistics = Department.create({
            "name": "Logistics", "parent_id": cls.dept_root.id, "manager_id": cls.manager.id,
            "member_ids": [(6, 0, [cls.handler.id])],
        })
        cls.dept_county = Department.create({
            "name": "County Office", "parent_id": cls.dept_logistics.id,
            "member_ids": [(6, 0, [cls.county_handler.id])],
        })
        cls.dept_marketing = Department.create({
            "name": "Marketing", "parent_id": cls.dept_root.id,
            "member_ids": [(6, 0, [cls.handler_mkt.id])],
        })
        cls.channel_phone = cls.env.ref("addon_complaints.complaint_channel_hotline")
        cls.channel_email = cls.env.ref("addon_complaints.complaint_channel_email")
        cls.channel_regulator = cls.env.ref("addon_complaints.complaint_channel_regulator")
        cls.channel_media = cls.env.ref("addon_complaints.complaint_channel_media")
        Category = cls.env["complaint.category"]
        cls.cat_service = Category.create({"name": "Service"})
        cls.cat_delivery = Category.create({"name": "Late delivery", "parent_id": cls.cat_service.id})
        cls.cat_quality = Category.create({"name": "Quality"})
        cls.partner = cls.env["res.partner"].create({
            "name": "Zhang Wei", "phone": "13800138000", "email": "zhang@example.com"})
        cls.reason_no_evidence = cls.env.ref("addon_complaints.complaint_rejection_reason_no_evidence")

    # Helpers: each step done by the user who would do it ----------------------------------
    def end_transaction(self):
        """Run what Odoo runs at commit (tracking values), as between two user requests."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def open_wizard(self, action, user, values=None):
        """The dialog a button opens, as ``user`` would fill it in."""
        return self.env[action["res_model"]].with_user(user).with_context(
            **action["context"]).create(values or {})

    def register(self, user=None, **values):
        vals = {
            "subject": "Order delivered late",
            "demand_type": "complaint",
            "channel_id": self.channel_email.id,
            "partner_id": self.partner.id,
            "partner_name": "Zhang Wei",
            "partner_email": "zhang@example.com",
            "partner_phone": "13800138000",
            "description": "The order promised for Monday arrived on Wednesday.",
            "customer_demand": "Deliver on the agreed day.",
            "category_id": self.cat_delivery.id,
        }
        vals.update(values)
        return self.env["complaint.case"].with_user(user or self.clerk).create(vals)

    def accepted(self, **values):
        case = self.register(**values)
        case.action_accept()
        return case

    def dispatched(self, department=None, assignee=None, **values):
        case = self.accepted(**values)
        case.with_user(self.office).action_dispatch(department or self.dept_logistics,
                                                    assignee=assignee or self.handler)
        return case

    def handling(self, **values):
        case = self.dispatched(**values)
        case._lead_assignment().with_user(self.manager).action_accept()
        return case

    def fill_handling_sheet(self, case):
        case.with_user(self.handler).write({
            "facts": "The truck broke down; the driver's log confirms it.",
            "cause_type": "company",
            "cause_analysis": "No spare truck was planned.",
            "handling_opinion": "Apologise and plan a spare truck.",
            "handling_hours": 2.5,
            "handling_process": "Called the customer, checked the log, delivered the same day.",
            "handling_result": "Delivered; the customer accepted the apology.",
            "handling_satisfaction": "satisfied",
        })

    def with_feedback(self, **values):
        case = self.handling(**values)
        self.fill_handling_sheet(case)
        case.with_user(self.handler).action_submit_feedback()
        case.with_user(self.manager).action_sign_feedback()
        return case

    def replied(self, **values):
        case = self.with_feedback(**values)
        case.with_user(self.office).action_verify()
        case.with_user(self.office).reply_text = "We apologise; a spare truck is now planned."
        case.with_user(self.office).action_reply()
        return case
