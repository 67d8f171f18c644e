"""Codes outside Odoo come from one table (reports/model.py, itself checked against the
add-on's fields_get in the Odoo tier): the worker validates with it, the generators draw
from it."""

from data import generate as sample_generator
from reports import model
from sync_worker import records
from sync_worker.reference_portals import generate as portal_generator


def test_worker_validates_with_the_reports_code_table():
    assert tuple(model.DEMAND_TYPES) == records.DEMAND_TYPES
    assert tuple(model.PRIORITIES) == records.PRIORITIES
    assert tuple(model.SATISFACTIONS) == records.SATISFACTION


def test_sample_generator_draws_known_codes_only():
    assert set(sample_generator.DEMAND_TYPES) <= set(model.DEMAND_TYPES)
    assert set(sample_generator.CHANNELS) <= set(model.CHANNELS)
    assert set(sample_generator.REMEDIES) <= set(model.REMEDY_TYPES)
    assert set(sample_generator.CRISIS_CHANNELS) <= set(model.CHANNELS)


def test_reference_portal_draws_known_codes_only():
    assert set(portal_generator.DEMAND_TYPES) <= set(model.DEMAND_TYPES)
    assert set(portal_generator.URGENCY) <= set(model.PRIORITIES)
