"""Find the Odoo installation the way a user's installation is found.

Order: ``ODOO_BIN`` (a path to ``odoo-bin`` or to an ``odoo`` launcher), then ``odoo`` on
``PATH``, then an importable ``odoo`` package in this interpreter.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class OdooInstall:
    command: tuple[str, ...]
    found_by: str

    def version(self) -> str:
        out = subprocess.run([*self.command, "--version"], capture_output=True, text=True, check=False)
        return (out.stdout or out.stderr).strip()


def find_odoo() -> OdooInstall | None:
    odoo_bin = os.environ.get("ODOO_BIN")
    if odoo_bin:
        return OdooInstall((odoo_bin,), "ODOO_BIN")
    on_path = shutil.which("odoo")
    if on_path:
        return OdooInstall((on_path,), "PATH")
    probe = subprocess.run([sys.executable, "-c", "import odoo.cli"], capture_output=True, check=False)
    if probe.returncode == 0:
        return OdooInstall((sys.executable, "-c", "import odoo.cli; odoo.cli.main()"), "import odoo")
    return None


def why_not_found() -> str:
    return ("no Odoo 18 found: ODOO_BIN is unset, no `odoo` on PATH and `import odoo` fails "
            "(install one, e.g. with the official packages, then run again)")
