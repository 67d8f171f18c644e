"""The add-on attacked as an external API client would: generated from the models' field
lists and public methods, for every role.

- every field of every guarded model is classified (protected, set at creation, free or
  computed), so a new field cannot slip through unguarded;
- every role's direct ``write`` (and ``create``) of every protected or computed field is
  refused;
- every public method, called over the RPC entry point with ids only, returns a value the
  XML-RPC marshaller accepts or refuses with a ``UserError``/``AccessError``, and a refusal
  leaves the record as it was.
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.base.controllers.rpc import dumps
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from ..models.complaint_guard_mixin import UNGUARDED_PREFIXES
from .compensation_common import ComplaintCompensationCase

ADDON_MODULE = "odoo.addons.addon_complaints"
INTEGRATION = "addon_complaints.group_complaint_integration"


class _Rollback(Exception):
    """Undo what one attack did before the next one."""


@tagged("post_install", "-at_install")
class TestGuard(ComplaintCompensationCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.integration = new_test_user(
            cls.env, "t_integration", groups=f"base.group_user,{INTEGRATION}",
            name="Portal Sync")
        cls.roles = [cls.clerk, cls.handler, cls.manager, cls.office, cls.leader, cls.finance,
                     cls.integration, cls.outsider]

    # Fixture: one record of each guarded model, in a state where its steps apply --------------
    def story(self):
        draft = self.register(partner_id=False, partner_name="Draft Customer",
                              partner_phone="13900009999", partner_email=False)
        case = self.case_in_handling()
        compensation = self.submitted(300, case=case)
        case.with_user(self.handler)._request_extension("Records", 1)
        pause = case.with_user(self.handler)._pause_clock("appraisal", "Sent to the lab")
        replied = self.replied(partner_id=False, partner_name="Replied Customer",
                               partner_phone="13900008888", partner_email=False,
                               category_id=self.cat_quality.id)
        accountability = self.env["complaint.accountability"].create({
            "case_id": case.id, "level": "normal", "stage": "handling",
            "date_due": fields.Datetime.now(), "user_id": self.handler.id})
        records = {
            "complaint.case": draft | case | replied,
            "complaint.assignment": case.assignment_ids,
            "complaint.compensation": compensation,
            "complaint.approval.line": compensation.approval_line_ids,
            "complaint.deadline.pause": pause,
            "complaint.extension": case.extension_ids,
            "complaint.accountability": accountability,
            "complaint.notice": replied.notice_ids,
            "complaint.sync.quarantine": self.env["complaint.sync.quarantine"].create({
                "source": "hotline", "external_ref": "H-1", "reason": "Unknown channel",
                "payload": "{}"}),
            "complaint.complainant": self.case_in_handling(confidential=True)
            .sudo().confidential_identity_ids,
        }
        return {name: recs for name, recs in records.items() if recs}

    def guarded_models(self):
        mixin = type(self.env["complaint.guard.mixin"])
        return sorted(name for name, model in self.env.registry.items()
                      if not model._abstract and not model._transient
                      and issubclass(model, mixin))

    # Values an attacker would write ---------------------------------------------------------
    def attack_value(self, record, name, user, creating=False):
        """A value the attacker wants: other than the record's, or on a create other than
        the one a new record starts with."""
        field = record._fields[name]
        current = record.sudo()[name]
        if creating:
            current = field.default(record) if field.default else False
        if field.type == "many2one":
            comodel = self.env[field.comodel_name].sudo()
            if field.comodel_name == "res.users":
                if creating:  # someone other than the creator, who may be the default
                    return (self.office2 if user != self.office2 else self.office).id
                return user.id if user != current else self.office2.id
            other = comodel.search([("id", "!=", current.id if current else 0)], limit=1)
            return other.id or False
        if field.type in ("one2many", "many2many"):
            if field.type == "many2many" and field.comodel_name == "res.users":
                return [Command.link(user.id)]
            return [Command.clear()]
        if field.type == "selection":
            values = [value for value, _label in field._description_selection(self.env)]
            return next((v for v in values if v != current), values[0])
        if field.type == "boolean":
            return not current or creating
        if field.type in ("integer", "float", "monetary"):
            return 7
        if field.type == "datetime":  # backdated: "now" is what a new record starts with
            return fields.Datetime.now() - timedelta(days=30)
        if field.type == "date":
            return fields.Date.today() - timedelta(days=30)
        if field.type == "binary":
            return "aGFjaw=="
        return "forged"

    def assert_refused(self, error, name, msg):
        self.assertTrue(isinstance(error, AccessError) or name in str(error),
                        f"{msg}: refused for another reason: {error}")

    # Tests ------------------------------------------------------------------------------------
    def test_every_field_of_every_guarded_model_is_classified(self):
        guarded = self.guarded_models()
        for name in ("complaint.case", "complaint.assignment", "complaint.extension",
                     "complaint.deadline.pause", "complaint.accountability",
                     "complaint.compensation", "complaint.approval.line", "complaint.notice"):
            self.assertIn(name, guarded)
        for name in guarded:
            model = self.env[name]
            self.assertEqual(model._guard_unclassified(), [],
                             f"{name}: classify these fields as protected or free")
            for fname, actions in model._guard_protected().items():
                self.assertIn(fname, model._fields, f"{name}.{fname} is declared but missing")
                self.assertTrue(actions, f"{name}.{fname}: name the steps that set it")

    def test_every_workflow_model_is_guarded(self):
        guarded = set(self.guarded_models())
        for name, model in self.env.registry.items():
            if (name.startswith("complaint.") and not model._abstract and not model._transient
                    and model._auto and "state" in model._fields):
                self.assertIn(name, guarded, f"{name} has a workflow but no guard")

    def test_no_role_writes_a_protected_field(self):
        records = self.story()
        attacks = 0
        for model_name, recs in records.items():
            classification = self.env[model_name]._guard_classification()
            targets = sorted(name for name, kind in classification.items()
                             if kind in ("protected", "initial", "computed")
                             and recs._fields[name].store
                             and not name.startswith(UNGUARDED_PREFIXES))
            # The guard does not depend on the state: one record of each model is enough.
            for record in recs[:1]:
                for user in self.roles:
                    for name in targets:
                        value = self.attack_value(record, name, user)
                        msg = f"{user.login} writes {model_name}.{name} = {value!r}"
                        with self.assertRaises(UserError, msg=msg) as caught, \
                                self.env.cr.savepoint():
                            record.with_user(user).write({name: value})
                        self.assert_refused(caught.exception, name, msg)
                        attacks += 1
        self.assertGreater(attacks, 300)

    def test_no_role_creates_a_record_past_its_initial_state(self):
        records = self.story()
        attacks = 0
        for model_name, recs in records.items():
            record = recs[:1].sudo()
            classification = self.env[model_name]._guard_classification()
            # Only what a client may give, plus the one field under attack.
            base = {name: value for name, value in record.copy_data()[0].items()
                    if classification.get(name) in ("free", "initial")}
            targets = sorted(name for name, kind in classification.items()
                             if kind in ("protected", "computed") and recs._fields[name].store
                             and not name.startswith(UNGUARDED_PREFIXES))
            for user in self.roles:
                for name in targets:
                    vals = dict(base, **{name: self.attack_value(record, name, user,
                                                                 creating=True)})
                    msg = f"{user.login} creates {model_name} with {name}"
                    with self.assertRaises(UserError, msg=msg) as caught, \
                            self.env.cr.savepoint():
                        self.env[model_name].with_user(user).create(vals)
                    self.assert_refused(caught.exception, name, msg)
                    attacks += 1
        self.assertGreater(attacks, 100)

    def test_a_case_is_created_in_its_initial_state_only(self):
        base = {"subject": "x", "channel_id": self.channel_email.id, "partner_name": "X",
                "partner_phone": "13900001111"}
        for values in ({"state": "closed"}, {"verified_by_id": self.office.id},
                       {"closure_criterion": "ruled_invalid"}, {"validity": "malicious"}):
            with self.assertRaises(UserError, msg=str(values)):
                self.env["complaint.case"].with_user(self.clerk).create(dict(base, **values))
        # Context defaults are dropped, the form's own defaults pass.
        case = self.env["complaint.case"].with_user(self.clerk).with_context(
            default_state="closed", default_closed_by_id=self.clerk.id).create(
            dict(base, state="draft", owner_user_id=self.clerk.id))
        self.assertEqual(case.state, "draft")
        self.assertFalse(case.closed_by_id)

    def test_the_step_scope_cannot_be_opened_by_a_client(self):
        case = self.handling()
        for key in ("complaint_guard_transition", "complaint_guard_transition_depth",
                    "transition", "guard_bypass"):
            with self.assertRaises(UserError, msg=key):
                case.with_user(self.office).with_context(**{key: True}).write({"state": "closed"})
        for name in ("_guard_transition", "_guard_check", "_request_extension"):
            with self.assertRaises(AccessError, msg=name):
                models.check_method_name(name)
        self.assertEqual(case.state, "handling")

    def test_no_generic_orm_method_is_a_step(self):
        """A step decorator on create/write would open the guard to every client."""
        for name in self.guarded_models():
            for klass in type(self.env[name]).mro():
                for method, member in vars(klass).items():
                    if getattr(member, "complaint_step", False):
                        self.assertFalse(hasattr(models.BaseModel, method),
                                         f"{name}.{method} must not be a step")
                        self.assertTrue(method.startswith("action_"), f"{name}.{method}")

    def test_tier_amount_is_computed_on_the_server(self):
        compensation = self.propose(10000)
        with self.assertRaises(UserError):
            compensation.with_user(self.handler).write({"amount_company": 100})
        compensation.with_user(self.handler).action_submit()
        self.assertEqual(compensation.amount_company, 10000)
        self.assertIn(self.finance, compensation.approval_line_ids.group_id.users)

    def public_methods(self, model):
        """The methods this add-on lets a client call on ``model``."""
        names = set()
        for klass in type(model).mro():
            if not klass.__module__.startswith(ADDON_MODULE):
                continue
            for name, member in vars(klass).items():
                if (callable(member) and not name.startswith("_")
                        and not hasattr(models.BaseModel, name)
                        and getattr(member, "_api", None) is None):
                    names.add(name)
        return sorted(names)

    def snapshot(self, record):
        self.env.flush_all()
        self.env.invalidate_all()
        stored = [name for name, field in record._fields.items()
                  if field.store and field.type not in ("one2many", "many2many", "binary")
                  and name not in ("write_date", "write_uid")
                  and not name.startswith(UNGUARDED_PREFIXES)]
        return record.sudo().read(stored)

    def test_every_public_method_is_safe_over_the_external_api(self):
        records = self.story()
        calls = 0
        for model_name, recs in records.items():
            methods = self.public_methods(self.env[model_name])
            self.assertTrue(methods or model_name in (
                "complaint.notice", "complaint.approval.line", "complaint.complainant"), model_name)
            for record in recs:
                before = self.snapshot(record)
                for user in self.roles:
                    for method in methods:
                        msg = f"{user.login} calls {model_name}.{method}({record.id})"
                        try:
                            with self.env.cr.savepoint():
                                try:
                                    result = api.call_kw(self.env[model_name].with_user(user),
                                                         method, [record.ids], {})
                                except UserError:
                                    self.assertEqual(self.snapshot(record), before,
                                                     f"{msg}: refused after changing the record")
                                else:
                                    try:
                                        dumps((result,))
                                    except TypeError as error:
                                        self.fail(f"{msg} returned {result!r}: {error}")
                                raise _Rollback
                        except _Rollback:
                            calls += 1
        self.assertGreater(calls, 200)

    def test_methods_taking_records_accept_ids(self):
        case = self.accepted()
        api.call_kw(self.env["complaint.case"].with_user(self.office), "action_dispatch",
                    [case.ids, self.dept_logistics.id], {"assignee": self.handler.id})
        self.assertEqual(case.state, "dispatched")
        other = self.register(partner_id=False, partner_name="Other",
                              partner_phone="13900002222", partner_email=False)
        result = api.call_kw(self.env["complaint.case"].with_user(self.clerk), "action_not_accept",
                             [other.ids, self.reason_no_evidence.id], {})
        self.assertIs(result, True)
        self.assertEqual(other.state, "not_accepted")
        with self.assertRaises(UserError):
            api.call_kw(self.env["complaint.case"].with_user(self.office), "action_dispatch",
                        [case.ids, "Logistics"], {})
