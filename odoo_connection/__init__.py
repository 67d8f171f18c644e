"""One way to log in to Odoo over JSON-RPC (odoorpc), shared by the reports, the sync worker
and the benchmarks: URL parsing, timeouts, and the failures sorted into what a person must
fix (configuration), what may pass (unreachable) and what Odoo refused (credentials)."""

from odoo_connection.connection import (
    CONFIG,
    REFUSED,
    UNREACHABLE,
    OdooConnectionError,
    OdooEndpoint,
    connect,
    parse_url,
)
