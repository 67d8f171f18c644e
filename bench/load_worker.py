"""One sync worker instance for bench_load.py, in a process of its own: it starts a reference
portal (hotline or regulator) holding ``--orders`` new records, imports them into Odoo with
the worker's Synchronizer (the lease, chunking and retries of ``python -m sync_worker run``)
and writes its figures as JSON: cases created, seconds, rate, and whether the lease was
refused because another instance held it.

``--portal-url`` points it at a portal another instance already serves (two instances on
the same partition: the lease lets only one of them apply it)::

    python bench/load_worker.py --url URL --db DB --login L --password P --source hotline \\
        --orders 10000 --start 1 --json out.json [--serve-until-file F] [--portal-url URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import random
import socket
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sync_worker.odoo_gateway import OdooGateway, OdooSettings  # noqa: E402
from sync_worker.portals.hotline import HotlineClient  # noqa: E402
from sync_worker.portals.regulator import RegulatorClient  # noqa: E402
from sync_worker.reference_portals import start_portal  # noqa: E402
from sync_worker.reference_portals.generate import BEIJING, seed  # noqa: E402
from sync_worker.retry import Backoff  # noqa: E402
from sync_worker.state import StateStore  # noqa: E402
from sync_worker.sync import LeaseBusy, PortalBinding, Synchronizer, SyncSettings  # noqa: E402

CHANNELS = {"hotline": "provincial_center", "regulator": "regulator"}


def client(source: str, url: str):
    if source == "hotline":
        return HotlineClient(url, "hotline-token", timeout=300)
    return RegulatorClient(url, "complaints-desk", "regulator-secret", timeout=300)


def import_orders(args: argparse.Namespace, portal_url: str) -> dict:
    gateway = OdooGateway(OdooSettings(args.url, args.db, args.login, args.password, timeout=900))
    gateway.connect()
    binding = PortalBinding(client(args.source, portal_url), CHANNELS[args.source])
    settings = SyncSettings(page_size=args.page_size, backoff=Backoff(attempts=5), apply_call_s=args.apply_call_s)
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as tmp, StateStore(Path(tmp) / "state.sqlite3") as state:
        sync = Synchronizer(gateway, state, settings, threading.Event(), holder)
        started = time.perf_counter()
        try:
            report = sync.run(binding, push=False)
        except LeaseBusy as exc:
            return {"lease_busy": True, "error": str(exc), "created": 0, "seconds": 0.0, "cases_per_s": 0.0}
        seconds = time.perf_counter() - started
    return {
        "lease_busy": False,
        "source": args.source,
        "created": report.created,
        "updated": report.updated,
        "quarantined": report.quarantined,
        "seconds": round(seconds, 2),
        "cases_per_s": round(report.created / seconds, 1) if seconds else 0.0,
        "odoo_calls": gateway.calls,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--login", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--source", choices=sorted(CHANNELS), default="hotline")
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--start", type=int, default=1, help="number of the first order (refs stay unique)")
    parser.add_argument("--page-size", type=int, default=200)
    parser.add_argument("--apply-call-s", type=float, default=SyncSettings().apply_call_s)
    parser.add_argument("--portal-url", help="import from this running portal instead of starting one")
    parser.add_argument("--serve-until-file", type=Path, help="keep serving the portal until this file exists")
    parser.add_argument("--json", type=Path, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    # recent orders: the deadline scan finds them on time, due soon or overdue, as at a real desk
    base = dt.datetime.now(BEIJING).replace(microsecond=0) - dt.timedelta(hours=(args.start + args.orders) / 60 + 2)
    if args.portal_url:
        figures = import_orders(args, args.portal_url)
    else:
        with start_portal(args.source) as portal:
            seeded = seed(portal.store, args.source, args.orders, start=args.start,
                          rng=random.Random(args.start), base=base)
            ready = args.json.with_suffix(".portal")
            ready.write_text(portal.url, encoding="utf-8")
            figures = import_orders(args, portal.url)
            figures["refs"] = seeded.valid
            while args.serve_until_file and not args.serve_until_file.exists():
                time.sleep(0.5)
    args.json.write_text(json.dumps(figures), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
