"""A small hand-made history around 2026Q3; the expected figures are counted in the tests."""

from __future__ import annotations

from reports_cases import case, comp

AS_OF = "2026-10-15 12:00"

CASES = [
    # A: accepted next day (on time), feedback in 2 working days, replied in time.
    case("A", "2026-07-01 10:00", date_accepted="2026-07-02 09:00",
         date_dispatched="2026-07-02 10:00", date_feedback="2026-07-06 12:00",
         date_replied="2026-07-07 10:00", date_deadline="2026-07-15 00:00",
         date_closed="2026-07-09 10:00", satisfaction="satisfied"),
    # B: Friday receipt accepted on Tuesday (late), late feedback, replied after the
    # deadline, dissatisfied and reopened; a repeat.
    case("B", "2026-07-03 17:00", date_accepted="2026-07-07 09:00",
         date_dispatched="2026-07-07 10:00", date_feedback="2026-07-13 10:00",
         date_replied="2026-07-20 10:00", date_deadline="2026-07-18 00:00",
         date_closed="2026-07-25 10:00", satisfaction="dissatisfied", reopen_count=1,
         repeat_count=2, level="urgent"),
    # C: a consultation answered on the spot.
    case("C", "2026-08-10 10:00", demand_type="consultation", date_accepted="2026-08-10 10:05",
         date_replied="2026-08-10 10:10", date_deadline="2026-08-13 00:00",
         date_closed="2026-08-10 10:15"),
    # D: still undecided on 30 September; National Day pushes its acceptance due date to
    # the end of 8 October, before the extraction: late. Regulator-forwarded crisis.
    case("D", "2026-09-30 15:00", state="draft", level="crisis", channel_id="regulator",
         is_regulator_forwarded=True),
    # E: not accepted on the day.
    case("E", "2026-09-29 09:00", state="not_accepted", date_accepted="2026-09-29 12:00",
         not_accepted_reason_id="超过保修期", validity=None, cause_type=None),
    # F: a group complaint dispatched without feedback; the deadline passed unreplied.
    case("F", "2026-08-20 09:00", state="handling", date_accepted="2026-08-20 11:00",
         date_dispatched="2026-08-20 12:00", date_deadline="2026-09-01 00:00",
         category_id="配送 / 延迟送达", department_id="物流中心", affected_count=12),
    # G: withdrawn during the Mid-Autumn holiday.
    case("G", "2026-09-25 10:00", state="withdrawn"),
    # H: deadline after the extraction, no reply yet; feedback due 8 October: late.
    case("H", "2026-09-28 10:00", state="handling", date_accepted="2026-09-28 11:00",
         date_dispatched="2026-09-28 12:00", date_deadline="2026-10-20 00:00",
         category_id="服务 / 办理效率"),
    # I: received in Q2, closed in Q2, reopened and closed again in Q3.
    case("I", "2026-06-20 10:00", date_accepted="2026-06-20 11:00",
         date_replied="2026-06-22 10:00", date_deadline="2026-07-01 00:00",
         date_closed="2026-07-10 10:00", reopen_count=1, satisfaction="basically_satisfied"),
    # J: the same quarter last year.
    case("J", "2025-07-15 10:00", date_accepted="2025-07-15 11:00",
         date_replied="2025-07-16 10:00", date_deadline="2025-07-25 00:00",
         date_closed="2025-07-20 10:00", satisfaction="satisfied"),
    # K: the previous quarter, closed in it.
    case("K", "2026-04-10 10:00", date_accepted="2026-04-10 11:00",
         date_replied="2026-04-12 10:00", date_deadline="2026-04-20 00:00",
         date_closed="2026-04-15 10:00"),
]

COMPS = [
    comp("A", 710.00, amount=100.0, currency_id="USD", date_submitted="2026-07-05 10:00",
         date_approved="2026-07-06 10:00", date_paid="2026-07-08 10:00"),
    comp("A", 184.00, amount=200.0, currency_id="HKD", remedy_type_id="voucher",
         state="approved", date_submitted="2026-07-05 11:00",
         date_approved="2026-07-06 11:00"),
    comp("B", 300.00, remedy_type_id="refund", date_submitted="2026-07-21 10:00",
         date_approved="2026-07-22 10:00", date_paid="2026-07-23 10:00"),
    comp("I", 99.50, date_submitted="2026-06-25 10:00", date_approved="2026-06-26 10:00",
         date_paid="2026-07-02 10:00"),
]
