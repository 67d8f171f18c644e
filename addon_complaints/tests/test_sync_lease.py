from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

ADMIN = "addon_complaints.group_complaint_admin"
OFFICE = "addon_complaints.group_complaint_office"
INTEGRATION = "addon_complaints.group_complaint_integration"


@tagged("post_install", "-at_install")
class TestSyncLease(TransactionCase):
    """Administrators see the sync workers' leases and clear only those whose holder stopped."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = new_test_user(cls.env, "t_lease_admin", groups=f"base.group_user,{ADMIN}")
        cls.office = new_test_user(cls.env, "t_lease_office", groups=f"base.group_user,{OFFICE}")
        cls.worker = new_test_user(cls.env, "t_lease_worker", groups=f"base.group_user,{INTEGRATION}")
        Lease = cls.env["complaint.sync.lease"].with_user(cls.worker)
        now = fields.Datetime.now()
        cls.live = Lease.create({"name": "sync_worker:hotline", "holder": "host-a:4242:ab12",
                                 "expires_at": now + timedelta(minutes=5)})
        cls.lapsed = Lease.create({"name": "sync_worker:regulator", "holder": "host-b:77:cd34",
                                   "expires_at": now - timedelta(minutes=1)})

    def test_administrators_see_the_leases_and_whether_they_lapsed(self):
        leases = self.env["complaint.sync.lease"].with_user(self.admin).search([])
        self.assertEqual(leases.filtered("is_lapsed"), self.lapsed.with_user(self.admin))
        self.assertIn(self.live.with_user(self.admin), leases)

    def test_a_lapsed_lease_is_cleared_a_live_one_is_not(self):
        with self.assertRaises(UserError):
            self.live.with_user(self.admin).action_clear_lapsed()
        with self.assertRaises(UserError):
            self.live.with_user(self.admin).unlink()
        self.lapsed.with_user(self.admin).action_clear_lapsed()
        self.assertFalse(self.lapsed.exists())
        self.assertTrue(self.live.exists())

    def test_other_roles_neither_see_nor_clear_leases(self):
        with self.assertRaises(AccessError):
            self.env["complaint.sync.lease"].with_user(self.office).search([])
        with self.assertRaises(AccessError):
            self.lapsed.with_user(self.office).unlink()
        with self.assertRaises(AccessError):
            self.lapsed.with_user(self.admin).write({"expires_at": fields.Datetime.now() + timedelta(hours=1)})

    def test_the_worker_releases_its_own_live_lease(self):
        self.live.with_user(self.worker).unlink()
        self.assertFalse(self.live.exists())
