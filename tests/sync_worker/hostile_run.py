"""Runs one worker pass against a portal URL in its own process, for the hostile-portal tests.

``python tests/sync_worker/hostile_run.py URL TIMEOUT`` pulls from the hotline portal at
URL into the in-memory gateway of ``sync_worker_doubles`` with the worker's real client,
validation and synchronizer, installs the worker's SIGTERM handling, and prints one JSON
line: the exit code the CLI would return, what landed, what was quarantined and why. The
parent measures the wall time; the peak memory is this process's own.
"""

from __future__ import annotations

import json
import signal
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sync_worker_doubles import MemoryGateway  # noqa: E402

from sync_worker.app import exit_code_for  # noqa: E402
from sync_worker.portals.hotline import HotlineClient  # noqa: E402
from sync_worker.retry import Backoff  # noqa: E402
from sync_worker.state import StateStore  # noqa: E402
from sync_worker.sync import PortalBinding, Synchronizer, SyncSettings  # noqa: E402


def peak_memory_mb() -> float:
    """This process's own peak resident memory (VmHWM: unlike ru_maxrss, not inherited
    from the parent across fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource  # not Linux: the best figure there is

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(url: str, timeout: float, attempts: int) -> int:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    gateway = MemoryGateway()
    settings = SyncSettings(
        page_size=200,
        backoff=Backoff(base=0.05, ceiling=0.2, attempts=attempts, retry_after_ceiling=5.0),
        apply_call_s=2.0,
    )
    code = 0
    error = ""
    with tempfile.TemporaryDirectory() as tmp, StateStore(Path(tmp) / "state.sqlite3") as state:
        binding = PortalBinding(HotlineClient(url, "token", timeout=timeout, stop=stop), "provincial_center")
        try:
            Synchronizer(gateway, state, settings, stop, "hostile-test").run(binding, push=False)
        except Exception as exc:  # noqa: BLE001 - reported as the exit code the CLI would give
            code, error = exit_code_for(exc), f"{type(exc).__name__}: {exc}"
        local = [(q.external_ref, q.reason) for q in state.quarantine_items("hotline")]
    refs = gateway.refs("hotline")
    print(
        json.dumps(
            {
                "exit": code,
                "error": error[:2000],
                "landed": len(refs),
                "refs": refs[:50],
                "quarantined": [[r, reason[:500]] for r, reason in local[:50]],
                "quarantined_count": len(local),
                "odoo_quarantine": len(gateway.quarantined),
                "apply_calls": len(gateway.batch_sizes),
                "largest_batch": max(gateway.batch_sizes, default=0),
                "peak_mb": peak_memory_mb(),
            },
            ensure_ascii=False,
        )
    )
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 3))
