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
# Debian packages the job needs: Python 3 and its venv module (ensurepip lives in
# python3-venv). Installed when running as root, otherwise named.
need=()
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ! -x "$venv/bin/python" ] && ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
  need+=(python3-venv)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "main job: installing ${need[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "main job: missing Debian package(s) ${need[*]}; install them as root (apt-get install ${need[*]})" >&2
    exit 1
  fi
fi
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt
if [ -z "$period" ]; then
  period="$("$venv/bin/python" -m reports.period)"
fi
exec "$venv/bin/python" -m reports quarterly --period "$period" --source auto --out "$out"
