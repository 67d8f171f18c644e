#!/usr/bin/env bash
# The main job on a fresh machine: set up a virtual environment, install the requirements,
# build the quarterly documents (from Odoo when ODOO_URL/ODOO_DB/ODOO_USER/ODOO_PASSWORD are
# set, else from the bundled sample) and say where they are.
#   bash reports/main_job.sh [PERIOD] [OUT]      e.g. bash reports/main_job.sh 2026Q3 out
# Without PERIOD: the last complete quarter before today (on 2026-11-30: 2026Q3); OUT: out.
set -euo pipefail
cd "$(dirname "$0")/.."
period="${1:-}"
out="${2:-out}"
venv="${REPORTS_VENV:-.venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt
if [ -z "$period" ]; then
  period="$("$venv/bin/python" -m reports.period)"
fi
exec "$venv/bin/python" -m reports quarterly --period "$period" --source auto --out "$out"
