"""Command line of the sync worker: ``python -m sync_worker {run,once,status} ...``."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from .app import EXIT_CODES_HELP, EXIT_CONFIG, EXIT_OK, EXIT_STATE, App, exit_code_for
from .config import Config, ConfigError, load_config
from .logs import setup_logging
from .odoo_gateway import OdooGateway
from .odoo_user import ensure_integration_user
from .state import StateError, StateStore

log = logging.getLogger("sync_worker")

DESCRIPTION = """\
Keeps complaint.case in Odoo in step with the hotline portal (dispatch orders from the
provincial complaint center) and the regulator portal (forwarded complaints, results,
periodic filings). Records are pulled after a saved cursor, validated, applied in Odoo in
batches and acknowledged; results of cases that reached feedback/replied/closed are pushed
back with idempotency keys and the portal's receipt is written on the case. Restarting at
any point never loses or duplicates a case."""

EPILOG = f"""\
configuration:
  --config FILE (TOML) or SYNC_CONFIG; any key can be overridden as SYNC_<SECTION>_<KEY>,
  e.g. SYNC_ODOO_URL, SYNC_HOTLINE_URL, SYNC_STATE_PATH, SYNC_LOG_FORMAT=json.
  Secrets only from the environment or a 0600 file of the service user:
  ODOO_PASSWORD / ODOO_PASSWORD_FILE, HOTLINE_TOKEN / HOTLINE_TOKEN_FILE,
  REGULATOR_SECRET / REGULATOR_SECRET_FILE. See sync_worker/config.example.toml.

signals:
  SIGTERM or SIGINT finishes the batch in progress, saves the cursor and exits 0.

{EXIT_CODES_HELP}
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sync_worker",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", type=Path, default=os.environ.get("SYNC_CONFIG"), help="TOML configuration file")
    parser.add_argument("--log-format", choices=["kv", "json"], help="log lines as key=value (default) or JSON")
    parser.add_argument("--log-level", help="DEBUG, INFO (default), WARNING, ERROR")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "run",
        help="run as a daemon on the timetable (sync every few minutes, pushes hourly, filings on their dates)",
        description="Run until SIGTERM: pull+apply every [schedule] sync_minutes, push results every "
        "push_minutes, regulator filings daily at filing_time when one is due.",
    )
    once = commands.add_parser(
        "once",
        help="one pass: pull, apply, acknowledge and push for each enabled portal, then exit",
        description="One pass over the enabled portals, then exit with a code from the list below.",
    )
    once.add_argument(
        "--portal", action="append", choices=["hotline", "regulator"], help="only this portal (repeatable)"
    )
    once.add_argument("--no-pull", action="store_true", help="do not pull new records")
    once.add_argument("--no-push", action="store_true", help="do not push results")
    once.add_argument("--filings", action="store_true", help="also send regulator filings that are due")
    once.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    setup = commands.add_parser(
        "setup-odoo-user",
        help="create or update the worker's Odoo user ([odoo] login, password from ODOO_PASSWORD) "
        "in the group 'Portal Sync (technical)', as an Odoo administrator",
        description="Connects to Odoo as an administrator (--admin-login, password from ODOO_ADMIN_PASSWORD) "
        "and makes the configured [odoo] login an active internal user in the group 'Portal Sync "
        "(technical)' with the password of ODOO_PASSWORD / ODOO_PASSWORD_FILE. Run it again to reset "
        "the password or restore the group.",
    )
    setup.add_argument("--admin-login", default="admin", help="an Odoo administrator's login (default: admin)")
    status = commands.add_parser("status", help="show cursors, outbox and quarantine of the state file (no network)")
    status.add_argument("--state", type=Path, help="state file (default: from the configuration)")
    return parser


def _status(path: Path) -> int:
    with StateStore(path) as state:
        for portal in ("hotline", "regulator"):
            print(
                f"{portal}: cursor={state.get_cursor(portal)!r} pending_outbox={state.pending_count(portal)} "
                f"quarantined={state.quarantine_count(portal)}"
            )
    return EXIT_OK


def _setup_odoo_user(config: Config, admin_login: str) -> int:
    admin_password = os.environ.get("ODOO_ADMIN_PASSWORD", "")
    if not admin_password:
        log.error("configuration error", extra={"kv": {"error": "ODOO_ADMIN_PASSWORD is not set"}})
        return EXIT_CONFIG
    admin = OdooGateway(dataclasses.replace(config.odoo, login=admin_login, password=admin_password))
    try:
        done = ensure_integration_user(admin, config.odoo.login, config.odoo.password)
    except Exception as exc:
        code = exit_code_for(exc)
        log.error("setup failed", extra={"kv": {"error": str(exc), "exit": code}}, exc_info=code == 1)
        return code
    log.info(
        "odoo user ready",
        extra={"kv": {"login": config.odoo.login, "user_id": done.user_id, "created": done.created}},
    )
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "status" and args.state:
        try:
            return _status(args.state)
        except StateError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_STATE
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        setup_logging()
        log.error("configuration error", extra={"kv": {"error": str(exc)}})
        return EXIT_CONFIG
    setup_logging(args.log_format or config.log_format, args.log_level or config.log_level, config.secrets())
    if args.command == "status":
        return _status(config.state_path)
    if args.command == "setup-odoo-user":
        return _setup_odoo_user(config, args.admin_login)

    stop = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        log.info("shutdown requested", extra={"kv": {"signal": signal.Signals(signum).name}})
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    progress = None
    if args.command == "once" and not args.no_progress and sys.stderr.isatty():
        from tqdm import tqdm

        def progress(desc: str, total: int | None):  # type: ignore[no-redef]
            return tqdm(desc=desc, total=total, unit="rec", file=sys.stderr)

    app = App(config, stop, progress=progress)
    try:
        if args.command == "run":
            return app.run_forever()
        app.once(args.portal, pull=not args.no_pull, push=not args.no_push, filings=args.filings)
        return EXIT_OK
    except Exception as exc:
        code = exit_code_for(exc)
        log.error(
            "stopped", extra={"kv": {"error": str(exc), "type": type(exc).__name__, "exit": code}}, exc_info=code == 1
        )
        return code


if __name__ == "__main__":
    sys.exit(main())
