"""The invariants bench_load.py checks after a run, in an ``odoo shell`` on the database:

* every case reference unique, and the numbers of each sequence gap-free (1..n, with the
  sequence's next number n + 1);
* every portal record the worker instances were given became exactly one case (none lost,
  none duplicated);
* no accountability record twice for the same missed step (case, reason, stage, due date);
* the stored due dates, outcomes and statuses of every case and dispatch order equal a
  serial recompute of the same data, done in the shell's transaction and rolled back.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

MARK = "LOAD_CHECKS "

# runs inside ``odoo shell``: ``env`` is given; prints one JSON line, changes nothing
_SCRIPT = r"""
import json, re
from collections import Counter
expected = json.load(open(%(refs)r))
cr = env.cr
out = {}
cr.execute("SELECT name FROM complaint_case")
names = [row[0] for row in cr.fetchall()]
out["cases"] = len(names)
out["duplicate_references"] = sum(n - 1 for n in Counter(names).values() if n > 1)
sequences = {}
for seq in env["ir.sequence"].sudo().search([("code", "=", "complaint.case")]):
    prefix, suffix = seq._get_prefix_suffix()
    stem = re.escape(re.sub(r"\d{4}", "@@", prefix)).replace("@@", r"\d{4}")
    pattern = re.compile("^%%s(\\d+)%%s$" %% (stem, re.escape(suffix)))
    numbers = sorted(int(m.group(1)) for m in map(pattern.match, names) if m)
    seq.invalidate_recordset(["number_next"])
    cr.execute("SELECT number_next FROM ir_sequence WHERE id = %%s", [seq.id])
    number_next = cr.fetchone()[0]
    # numbers of registrations that rolled back, waiting to be handed out again
    cr.execute("SELECT c.number FROM complaint_case_reference_claim c WHERE c.sequence_id = %%s "
               "AND NOT EXISTS (SELECT 1 FROM complaint_case WHERE name = c.reference)", [seq.id])
    waiting = {row[0] for row in cr.fetchall()}
    missing = sorted(set(range(1, number_next)) - set(numbers) - waiting)
    sequences[seq.name] = {"numbered": len(numbers), "number_next": number_next,
                           "gaps": len(missing), "first_gaps": missing[:10], "to_reissue": len(waiting),
                           "beyond_next": sum(1 for n in numbers if n >= number_next)}
out["sequences"] = sequences
found = {}
for source, refs in expected.items():
    cr.execute("SELECT external_ref, count(*) FROM complaint_case WHERE external_source = %%s "
               "AND external_ref = ANY(%%s) GROUP BY external_ref", [source, refs])
    counts = dict(cr.fetchall())
    found[source] = {"expected": len(refs), "found": len(counts),
                     "lost": len(set(refs) - set(counts)),
                     "duplicated": sum(1 for n in counts.values() if n > 1)}
out["worker"] = found
cr.execute("SELECT count(*) FROM (SELECT 1 FROM complaint_accountability GROUP BY case_id, reason, "
           "stage, date_due HAVING count(*) > 1) AS d")
out["duplicate_accountability"] = cr.fetchone()[0]
cr.execute("SELECT count(*) FROM complaint_accountability")
out["accountability"] = cr.fetchone()[0]
from odoo.addons.addon_complaints.models.complaint_case_deadline import DEADLINE_FIELDS
env.flush_all()
columns = ", ".join(DEADLINE_FIELDS)
cr.execute("SELECT id, %%s FROM complaint_case ORDER BY id" %% columns)
before = {row[0]: row[1:] for row in cr.fetchall()}
cr.execute("SELECT id, date_deadline, is_overdue FROM complaint_assignment ORDER BY id")
before_orders = {row[0]: row[1:] for row in cr.fetchall()}
env["complaint.case"].sudo().search([])._recompute_deadlines()
env.flush_all()
cr.execute("SELECT id, %%s FROM complaint_case ORDER BY id" %% columns)
after = {row[0]: row[1:] for row in cr.fetchall()}
cr.execute("SELECT id, date_deadline, is_overdue FROM complaint_assignment ORDER BY id")
after_orders = {row[0]: row[1:] for row in cr.fetchall()}
differ = Counter()
for case_id, values in after.items():
    for name, old, new in zip(DEADLINE_FIELDS, before[case_id], values):
        if old != new:
            differ[name] += 1
order_differ = sum(1 for i, v in after_orders.items() if before_orders.get(i) != v)
out["deadlines_checked"] = len(after)
out["deadline_differences"] = dict(differ)
out["order_deadline_differences"] = order_differ
cr.rollback()
print(%(mark)r + json.dumps(out, default=str))
"""


@dataclass(frozen=True)
class Invariants:
    figures: dict

    def problems(self) -> list[str]:
        f = self.figures
        out = []
        if f["duplicate_references"]:
            out.append(f"{f['duplicate_references']} duplicated case references")
        for name, seq in f["sequences"].items():
            if seq["gaps"] or seq["beyond_next"]:
                out.append(f"sequence {name}: {seq['gaps']} gaps {seq['first_gaps']}, "
                           f"{seq['beyond_next']} numbers at or past its next number")
        for source, w in f["worker"].items():
            if w["lost"] or w["duplicated"]:
                out.append(f"{source}: {w['lost']} records lost, {w['duplicated']} duplicated")
        if f["duplicate_accountability"]:
            out.append(f"{f['duplicate_accountability']} accountability records duplicated")
        if f["deadline_differences"] or f["order_deadline_differences"]:
            out.append(f"deadlines differ from a serial recompute: {f['deadline_differences']}, "
                       f"dispatch orders {f['order_deadline_differences']}")
        return out

    def render(self) -> list[str]:
        f = self.figures
        seqs = "; ".join(f"{name}: {s['numbered']} numbered, next {s['number_next']}, {s['gaps']} gaps, "
                         f"{s['to_reissue']} of rolled-back registrations to hand out again"
                         for name, s in f["sequences"].items())
        worker = "; ".join(f"{src}: {w['found']}/{w['expected']} found, {w['lost']} lost, {w['duplicated']} duplicated"
                           for src, w in f["worker"].items())
        references_ok = not f["duplicate_references"] and not any(
            s["gaps"] or s["beyond_next"] for s in f["sequences"].values())
        worker_ok = not any(w["lost"] or w["duplicated"] for w in f["worker"].values())
        deadlines_ok = not f["deadline_differences"] and not f["order_deadline_differences"]
        verdict = lambda ok: "holds" if ok else "BROKEN"  # noqa: E731
        return [
            f"  references unique and gap-free: {verdict(references_ok)}"
            f"  ({f['cases']} cases, {f['duplicate_references']} duplicated; {seqs})",
            f"  worker cases neither lost nor duplicated: {verdict(worker_ok)}  ({worker})",
            f"  accountability not duplicated: {verdict(not f['duplicate_accountability'])}"
            f"  ({f['accountability']} records, {f['duplicate_accountability']} duplicated)",
            f"  deadlines equal a serial recompute: {verdict(deadlines_ok)}"
            f"  ({f['deadlines_checked']} cases; differing fields {f['deadline_differences'] or 'none'}, "
            f"dispatch orders {f['order_deadline_differences']})",
        ]


def check(shell_argv: list[str], expected_refs: dict[str, list[str]], workdir: Path, cwd: Path) -> Invariants:
    """Run the checks with ``shell_argv`` (an ``odoo shell -d DB`` command line)."""
    refs = workdir / "expected_refs.json"
    refs.write_text(json.dumps(expected_refs), encoding="utf-8")
    script = _SCRIPT % {"refs": str(refs), "mark": MARK}
    result = subprocess.run(shell_argv, input=script, capture_output=True, text=True, timeout=3600, check=False,
                            cwd=cwd)
    for line in result.stdout.splitlines():
        if line.startswith(MARK):
            return Invariants(json.loads(line[len(MARK):]))
    raise RuntimeError(f"the invariant checks did not run:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
