from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.text_similarity import PER_BAND_LIMIT, band_keys, minhash


class ComplaintCaseTextBand(models.Model):
    """One band of a case's MinHash signature: the index behind "similar texts".

    Written when a case is registered or its text changes, read with one indexed probe per
    band (company, band key, date): a new case finds the cases sharing a band among millions
    without reading their texts.
    """

    _name = "complaint.case.text.band"
    _description = "Complaint Text Signature Band"
    _order = "id"
    _log_access = False

    case_id = fields.Many2one("complaint.case", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    band_key = fields.Integer(required=True)
    date_received = fields.Datetime(required=True)

    def init(self):
        self.env.cr.execute(SQL(
            "CREATE INDEX IF NOT EXISTS complaint_case_text_band_lookup_idx "
            "ON complaint_case_text_band (company_id, band_key, date_received)"))

    @api.model
    def _index_cases(self, cases):
        """(Re)write the bands of ``cases`` from their current text."""
        self.sudo().search([("case_id", "in", cases.ids)]).unlink()
        rows = []
        for case in cases:
            signature = minhash(case._triage_text())
            if signature:
                rows += [(case.id, case.company_id.id, key, case.date_received) for key in band_keys(signature)]
        if not rows:
            return
        # Sixteen rows per case, for every case a page of imports brings, that nothing reads
        # as records: one INSERT rather than the ORM's create of each row.
        self.flush_model()
        columns = list(zip(*rows, strict=True))
        self.env.cr.execute(SQL(
            "INSERT INTO complaint_case_text_band (case_id, company_id, band_key, date_received) "
            "SELECT * FROM unnest(%s::int[], %s::int[], %s::int[], %s::timestamp[])",
            *(list(column) for column in columns)))

    @api.model
    def _cases_sharing_bands(self, case, since, limit=50):
        """``[(case id, shared bands)]``: earlier cases of the company since ``since`` whose
        signature shares a band with ``case``, the most shared first."""
        signature = minhash(case._triage_text())
        if not signature:
            return []
        self.flush_model()
        # One backward index scan per band, at most PER_BAND_LIMIT rows each: a stock phrase
        # shared by thousands of cases costs no more than a rare one.
        self.env.cr.execute(SQL(
            """SELECT band.case_id, count(*) AS shared
                 FROM unnest(%s::int[]) AS probe(band_key)
           CROSS JOIN LATERAL (
                   SELECT case_id
                     FROM complaint_case_text_band
                    WHERE company_id = %s AND band_key = probe.band_key
                      AND date_received >= %s AND date_received <= %s AND case_id != %s
                 ORDER BY date_received DESC
                    LIMIT %s) AS band
             GROUP BY band.case_id
             ORDER BY shared DESC, band.case_id DESC
                LIMIT %s""",
            band_keys(signature), case.company_id.id, since, case.date_received, case.id,
            PER_BAND_LIMIT, limit))
        return self.env.cr.fetchall()
