"""Reference implementations of the two portals of PORTALS.md, for tests, demos and staging.

Standard-library XML-RPC servers on real sockets, with an in-memory feed and fault
injection (:class:`FaultPlan`). ``python -m sync_worker.reference_portals --help``.
"""

from .faults import FaultPlan
from .server import RunningPortal, start_portal
from .store import PortalStore

__all__ = ["FaultPlan", "PortalStore", "RunningPortal", "start_portal"]
