"""Fields that only a model's own steps may set.

A model opts in by inheriting ``complaint.guard.mixin`` and declaring, in each class that
adds fields to it, which of those fields are protected and which are free::

    _protected_fields = {"state": "action_accept, action_close", ...}  # field: steps that set it
    _initial_fields = {"confidential"}  # protected, but a create may give its first value
    _free_fields = {"subject", ...}     # anyone allowed to edit the record may write them

The declarations of every class of the model (and of other add-ons extending it) add up.
A direct ``create`` or ``write`` of a protected field is refused, whoever asks, except for
the superuser and inside a step: the step's Python code enters ``_guard_transition()``
before it writes. That scope lives in a context variable of the running request, which no
RPC argument or context key can set, so an external client cannot open it.
"""

import contextvars
import functools
from contextlib import contextmanager

from odoo import api, models
from odoo.exceptions import UserError

_TRANSITION_DEPTH = contextvars.ContextVar("complaint_guard_transition_depth", default=0)

# Fields the mixins of the chatter and of activities bring: they are theirs to guard.
UNGUARDED_PREFIXES = ("message_", "activity_", "website_message_", "has_message",
                      "rating_", "my_activity_date_deadline")


class ComplaintGuardMixin(models.AbstractModel):
    _name = "complaint.guard.mixin"
    _description = "Workflow-Protected Fields"

    _protected_fields = {}
    _initial_fields = frozenset()
    _free_fields = frozenset()

    # Declarations --------------------------------------------------------------------------
    @classmethod
    def _guard_declared(cls, attribute):
        """The union of ``attribute`` over every class of the model (computed once per
        registry class: a batch import checks thousands of records)."""
        cache = cls.__dict__.get("_guard_declared_cache")
        if cache is None:
            cache = {}
            cls._guard_declared_cache = cache
        if attribute not in cache:
            declared = {}
            for klass in reversed(cls.mro()):
                value = klass.__dict__.get(attribute)
                if isinstance(value, dict):
                    declared.update(value)
                elif value:
                    declared.update(dict.fromkeys(value, ""))
            cache[attribute] = declared
        return cache[attribute]

    @api.model
    def _guard_protected(self):
        """``{field name: the steps that set it}``."""
        return self._guard_declared("_protected_fields")

    @api.model
    def _guard_computed(self, name):
        """A field the server computes (related fields included) and nobody writes."""
        field = self._fields[name]
        return bool(field.compute) and field.readonly and not field.inverse

    @api.model
    def _guard_classification(self):
        """``{field name: "computed" | "protected" | "initial" | "free"}``."""
        result = {name: "computed" for name in self._fields if self._guard_computed(name)}
        result.update(dict.fromkeys(self._guard_declared("_free_fields"), "free"))
        result.update(dict.fromkeys(self._guard_protected(), "protected"))
        result.update(dict.fromkeys(self._guard_declared("_initial_fields"), "initial"))
        return result

    @api.model
    def _guard_unclassified(self):
        """The fields of the model nobody classified (the guard tests fail on them)."""
        classified = self._guard_classification()
        return sorted(
            name for name, field in self._fields.items()
            if name not in models.MAGIC_COLUMNS and name != "display_name"
            and not name.startswith(UNGUARDED_PREFIXES) and name not in classified)

    # The scope of a step ---------------------------------------------------------------------
    @contextmanager
    def _guard_transition(self):
        """Inside this block the model's steps write protected fields. Only Python code
        can enter it: nothing a client sends reaches the context variable."""
        token = _TRANSITION_DEPTH.set(_TRANSITION_DEPTH.get() + 1)
        try:
            yield
        finally:
            _TRANSITION_DEPTH.reset(token)

    def _guard_active(self):
        return not self.env.su and not _TRANSITION_DEPTH.get()

    def _guard_check(self, vals, creating=False):
        protected = self._guard_protected()
        initial = self._guard_declared("_initial_fields") if creating else {}
        for name in sorted(vals):
            field = self._fields.get(name)
            if field and name not in protected and self._guard_computed(name) \
                    and not name.startswith(UNGUARDED_PREFIXES):
                raise UserError(self.env._(
                    "“%(label)s” (%(field)s) is computed by the server; it cannot be written.",
                    label=field._description_string(self.env), field=name))
            if name not in protected or name in initial:
                continue
            if creating and not vals[name] and not field.default:
                continue  # an empty value is the initial state
            if creating and field.default and vals[name] == field.convert_to_write(
                    field.convert_to_cache(field.default(self), self), self):
                continue  # the value a new record starts with anyway
            raise UserError(self.env._(
                "“%(label)s” (%(field)s) is set only by %(actions)s; it cannot be written "
                "directly.",
                label=field._description_string(self.env), field=name, actions=protected[name]))

    def _guard_strip_context_defaults(self):
        """Defaults passed in the context (``default_state``…) would set protected fields
        on create behind the check: they are dropped."""
        protected = self._guard_protected()
        initial = self._guard_declared("_initial_fields")
        context = self.env.context
        dropped = [key for key in context if key.startswith("default_")
                   and key[8:] in protected and key[8:] not in initial]
        if not dropped:
            return self
        # Keys are dropped, not overridden: only a whole new context does that.
        return self.with_context(  # pylint: disable=context-overridden
            {k: v for k, v in context.items() if k not in dropped})

    # CRUD ------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        model = self
        if self._guard_active():
            # Who may not create at all is told so first.
            self.browse().check_access("create")
            for vals in vals_list:
                self._guard_check(vals, creating=True)
            model = self._guard_strip_context_defaults()
        return super(ComplaintGuardMixin, model).create(vals_list)

    def write(self, vals):
        if self._guard_active():
            self.check_access("write")
            self._guard_check(vals)
        return super().write(vals)


def transition(method):
    """Mark a model method as one of its steps: it may write protected fields."""

    @functools.wraps(method)
    def step(self, *args, **kwargs):
        with self._guard_transition():
            return method(self, *args, **kwargs)

    step.complaint_step = True
    return step
