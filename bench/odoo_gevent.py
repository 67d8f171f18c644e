"""Make sure Odoo's gevent process (the bus/websocket server that ``--workers`` spawns) can
start.

Some Odoo virtual environments pair an old ``pkg_resources`` with packages installed from
new wheels (``zope_interface-8.7.dist-info``): gevent's entry-point check then cannot find
``zope.interface`` and ``odoo gevent`` dies at start. The multi-process server respawns it
at once, again and again, and that loop alone eats a core - which a load benchmark must not
measure. ``gevent_env`` checks ``odoo gevent --version`` and, when it fails that way, writes
metadata stubs under the old names into a folder put on ``PYTHONPATH`` of the server (the
modules themselves still come from Odoo's environment).
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
from pathlib import Path

from tests.odoo_tier.locate import OdooInstall

_logger = logging.getLogger(__name__)
_MISSING = re.compile(r"The '([\w.\-]+)' distribution was not found")


def gevent_env(odoo: OdooInstall, folder: Path, attempts: int = 5) -> dict[str, str]:
    """Environment variables the Odoo server needs for its gevent process (none if it starts)."""
    stubs = folder / "gevent-metadata"
    env: dict[str, str] = {}
    for _ in range(attempts):
        probe = subprocess.run([*odoo.command, "gevent", "--version"], capture_output=True, text=True,
                               check=False, env=_merged(env), timeout=120)
        missing = _MISSING.search(probe.stderr)
        if probe.returncode == 0 or not missing:
            return env
        name = missing.group(1)
        _logger.warning("Odoo's gevent process cannot start: %s is not found by pkg_resources; "
                        "adding a metadata stub for it", name)
        stubs.mkdir(parents=True, exist_ok=True)
        # a one-file egg-info: enough for pkg_resources to count the distribution as present
        (stubs / f"{name}-999.egg-info").write_text(f"Metadata-Version: 1.1\nName: {name}\nVersion: 999\n",
                                                    encoding="utf-8")
        env = {"PYTHONPATH": str(stubs)}
    return env


def _merged(extra: dict[str, str]) -> dict[str, str] | None:
    return {**os.environ, **extra} if extra else None
