"""python -m sync_worker.reference_portals {hotline,regulator} --port N [options]"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading

from .faults import FaultPlan
from .generate import seed
from .server import start_portal


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sync_worker.reference_portals",
        description=(
            "Run a reference portal (PORTALS.md) on 127.0.0.1 for tests, demos and staging. "
            "Credentials come from the environment: HOTLINE_TOKEN for the hotline portal, "
            "REGULATOR_CLIENT_ID and REGULATOR_SECRET for the regulator portal "
            "(defaults suit a local demo only)."
        ),
    )
    parser.add_argument("kind", choices=["hotline", "regulator"], help="which portal to serve")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one, printed at start)")
    parser.add_argument("--records", type=int, default=0, help="seed the feed with N synthetic records")
    parser.add_argument("--tricky", type=float, default=0.0, help="share of valid-but-awkward records (GBK, mojibake)")
    parser.add_argument("--malformed", type=float, default=0.0, help="share of records that must be quarantined")
    parser.add_argument(
        "--faults",
        default="",
        help="fault plan, e.g. 'slow=0.1,slow_seconds=2,http_5xx=0.05,drop=0.05,drop_after=0.05,"
        "duplicate=0.1,replay=0.1,stale=0.1,shuffle=1,rate_limit=20,seed=7'",
    )
    parser.add_argument("--session-ttl", type=float, default=3600.0, help="regulator session lifetime (s)")
    parser.add_argument("--control", action="store_true", help="enable control.* methods (staging/tests only)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for synthetic records")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    log = logging.getLogger("reference_portals")
    import random

    running = start_portal(
        args.kind,
        host=args.host,
        port=args.port,
        faults=FaultPlan.parse(args.faults),
        token=os.environ.get("HOTLINE_TOKEN", "hotline-token"),
        client_id=os.environ.get("REGULATOR_CLIENT_ID", "complaints-desk"),
        secret=os.environ.get("REGULATOR_SECRET", "regulator-secret"),
        session_ttl=args.session_ttl,
        control=args.control,
    )
    if args.records:
        seeded = seed(
            running.store,
            args.kind,
            args.records,
            tricky=args.tricky,
            malformed=args.malformed,
            rng=random.Random(args.seed),
        )
        log.info("seeded %d records (%d tricky, %d malformed)", args.records, len(seeded.tricky), len(seeded.malformed))
    log.info("%s portal listening on %s", args.kind, running.url)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    running.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
