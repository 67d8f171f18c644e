#!/usr/bin/env bash
# Set up everything this project's tests need on a fresh machine, then run every tier:
#   1. the tests that need no Odoo (sync worker against the reference portals, reports), and lint;
#   2. the Odoo tier, when an Odoo 18 is found (ODOO_BIN, else `odoo` on PATH, else `import odoo`):
#      the add-on installed into fresh databases of a throw-away PostgreSQL with its own tests,
#      then the worker and report tests marked `odoo` against that real server.
# Prints which tiers ran, which were skipped and why; exits non-zero when any tier failed.
set -uo pipefail
cd "$(dirname "$0")/.."
venv="${COMPLAINTS_VENV:-.venv}"

# LibreOffice renders the workbooks to PDF (with CJK fonts) and pdftotext reads them back;
# PostgreSQL runs the Odoo tier's databases.
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need+=(postgresql)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "setup: missing ${need[*]} (install them with apt-get as root)"
  fi
fi

[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt \
  || { echo "setup: pip install failed"; exit 1; }

summary=()
failed=0

echo "== tier 1: tests without Odoo, and lint"
"$venv/bin/python" -m pytest -m "not odoo" -q tests; rc=$?
if [ $rc -eq 0 ]; then summary+=("tier 1 (no Odoo): PASSED"); else summary+=("tier 1 (no Odoo): FAILED (pytest exit $rc)"); failed=1; fi
addons=(addon_complaints)
for d in addon_complaints_*/; do [ -f "$d/__manifest__.py" ] && addons+=("${d%/}"); done
"$venv/bin/ruff" check . && "$venv/bin/pylint" --rcfile=.pylintrc-odoo "${addons[@]}"; rc=$?
if [ $rc -eq 0 ]; then summary+=("lint (ruff, pylint-odoo): PASSED"); else summary+=("lint (ruff, pylint-odoo): FAILED"); failed=1; fi

echo "== tier 2: Odoo"
python3 -m tests.odoo_tier.run --pytest "$venv/bin/python"; rc=$?
case $rc in
  0) summary+=("tier 2 (Odoo 18): PASSED") ;;
  3) summary+=("tier 2 (Odoo 18): SKIPPED — no Odoo 18 found (set ODOO_BIN, put \`odoo\` on PATH, or make \`import odoo\` work)") ;;
  *) summary+=("tier 2 (Odoo 18): FAILED (logs in .odoo-tier-logs/)"); failed=1 ;;
esac

echo "== summary"
printf '%s\n' "${summary[@]}"
exit $failed
