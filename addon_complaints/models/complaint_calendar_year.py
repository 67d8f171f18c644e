"""Which years of the official calendar the deadlines can rely on."""

from odoo import api, fields, models, tools
from odoo.tools import SQL

YEAR_STATES = [("published", "Published"), ("provisional", "Provisional"),
               ("missing", "Missing")]
# How far ahead the configuration lists the years, from this year on.
YEARS_AHEAD = 2


class ComplaintCalendarYear(models.Model):
    """One year of the official mainland China calendar: published (the State Council's
    schedule is loaded), provisional (only the statutory holidays are known, the bridge and
    make-up working days are not) or missing (no official day at all: weekends only).
    A case whose clock reaches a year that is not published is marked."""

    _name = "complaint.calendar.year"
    _description = "Official Calendar Year"
    _auto = False
    _order = "year"

    year = fields.Integer(readonly=True)
    state = fields.Selection(YEAR_STATES, string="Calendar", readonly=True)
    day_count = fields.Integer(string="Official Days", readonly=True)
    provisional_count = fields.Integer(string="Provisional Days", readonly=True)

    @api.depends("year")
    def _compute_display_name(self):
        for year in self:
            year.display_name = str(year.year)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL(
            """CREATE VIEW %(table)s AS (
            WITH official AS (
                SELECT extract(year FROM date)::int AS year, count(*) AS day_count,
                       count(*) FILTER (WHERE is_provisional) AS provisional_count
                  FROM complaint_calendar_day
                 WHERE company_id IS NULL AND active
                 GROUP BY 1),
            span AS (
                SELECT generate_series(
                    LEAST((SELECT min(year) FROM official),
                          extract(year FROM now())::int - 1),
                    GREATEST((SELECT max(year) FROM official),
                             extract(year FROM now())::int + %(ahead)s)) AS year)
            SELECT span.year AS id, span.year AS year,
                   coalesce(official.day_count, 0) AS day_count,
                   coalesce(official.provisional_count, 0) AS provisional_count,
                   CASE WHEN official.day_count IS NULL THEN 'missing'
                        WHEN official.provisional_count = official.day_count THEN 'provisional'
                        ELSE 'published' END AS state
              FROM span LEFT JOIN official ON official.year = span.year)""",
            table=SQL.identifier(self._table), ahead=YEARS_AHEAD))

    @api.model
    def _states(self, first, last):
        """``{year: state}`` for the years ``first`` to ``last``, in one query."""
        self.env.cr.execute(SQL(
            "SELECT extract(year FROM date)::int, bool_and(is_provisional) "
            "FROM complaint_calendar_day WHERE company_id IS NULL AND active "
            "AND date >= make_date(%s, 1, 1) AND date <= make_date(%s, 12, 31) GROUP BY 1",
            first, last))
        found = {year: "provisional" if provisional else "published"
                 for year, provisional in self.env.cr.fetchall()}
        return {year: found.get(year, "missing") for year in range(first, last + 1)}

    @api.model
    def action_refresh_official_days(self):
        return self.env["complaint.calendar.day"].action_refresh_official_days()
