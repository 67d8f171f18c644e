"""The reference claims become an Odoo model (``complaint.case.reference.claim``): the table
the numbering kept until now gets the ``id`` column Odoo's models have, and keeps its rows, so
that the claims of registrations in flight are still handed out again."""

from odoo.tools import SQL


def migrate(cr, version):
    if not version:
        return
    cr.execute(SQL("SELECT to_regclass('complaint_case_reference_claim') IS NOT NULL"))
    if not cr.fetchone()[0]:
        return
    cr.execute(SQL("ALTER TABLE complaint_case_reference_claim "
                   "DROP CONSTRAINT IF EXISTS complaint_case_reference_claim_pkey"))
    cr.execute(SQL("ALTER TABLE complaint_case_reference_claim ADD COLUMN IF NOT EXISTS id SERIAL PRIMARY KEY"))
