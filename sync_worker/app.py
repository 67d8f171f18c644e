"""Wires a Config into running parts and maps what happens to exit codes."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass

from .config import Config, PortalConfig
from .odoo_gateway import Gateway, OdooAuthError, OdooConfigError, OdooGateway, OdooSchemaError
from .portals import PortalClient
from .portals.hotline import HotlineClient
from .portals.regulator import RegulatorClient
from .portals.transport import AuthFailure
from .retry import GaveUp, Interrupted, TemporaryFailure
from .state import StateError, StateStore
from .sync import (
    LeaseBusy,
    LeaseLost,
    PageRefused,
    PortalBinding,
    Progress,
    RunReport,
    Synchronizer,
)
from .timetable import beijing_today, build_scheduler, filings_due, run_until_stopped

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_CONFIG = 2
EXIT_STATE = 73  # EX_CANTCREAT: the state file cannot be opened or written
EXIT_TEMPFAIL = 75  # EX_TEMPFAIL: a portal or Odoo stayed unreachable; lease busy or lost
EXIT_PROTOCOL = 76  # EX_PROTOCOL: a portal's page could not be read (quarantined with its bytes)
EXIT_NOPERM = 77  # EX_NOPERM: credentials or access rights refused
EXIT_ODOO_SCHEMA = 78  # EX_CONFIG: Odoo lacks a model, field or channel the worker needs

EXIT_CODES_HELP = f"""exit codes:
  {EXIT_OK}   done (also after a clean shutdown on SIGTERM/SIGINT)
  {EXIT_INTERNAL}   unexpected error (a bug: see the log)
  {EXIT_CONFIG}   usage or configuration error (bad file, missing secret, secret file mode,
       Odoo database that does not exist): never retried
  {EXIT_STATE}  the state file cannot be opened or written
  {EXIT_TEMPFAIL}  temporary failure: portal or Odoo unreachable after retries, or another
       instance holds the lease, or a portal asked to wait longer than the ceiling;
       try again later
  {EXIT_PROTOCOL}  a portal answered a page outside the contract twice (malformed, over a
       limit, not XML-RPC): the page is quarantined with its first bytes; the next run
       asks again
  {EXIT_NOPERM}  credentials or rights refused (Odoo login, Odoo user without the Portal Sync
       group, portal token, portal fault 401/403): never retried
  {EXIT_ODOO_SCHEMA}  Odoo lacks a model, field or channel the worker needs (add-on missing or old)"""


def exit_code_for(exc: BaseException) -> int:
    if isinstance(exc, (AuthFailure, OdooAuthError)):
        return EXIT_NOPERM
    if isinstance(exc, OdooConfigError):
        return EXIT_CONFIG
    if isinstance(exc, PageRefused):
        return EXIT_PROTOCOL
    if isinstance(exc, OdooSchemaError):
        return EXIT_ODOO_SCHEMA
    if isinstance(exc, StateError):
        return EXIT_STATE
    if isinstance(exc, (GaveUp, TemporaryFailure, LeaseBusy, LeaseLost)):
        return EXIT_TEMPFAIL
    if isinstance(exc, Interrupted):
        return EXIT_OK
    return EXIT_INTERNAL


def build_client(portal: PortalConfig, stop: threading.Event | None = None) -> PortalClient:
    if portal.name == "hotline":
        return HotlineClient(portal.url, portal.token, portal.timeout, stop)
    return RegulatorClient(portal.url, portal.client_id, portal.secret, portal.timeout, stop)


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass
class App:
    config: Config
    stop: threading.Event
    gateway_factory: Callable[[Config], Gateway] = lambda cfg: OdooGateway(cfg.odoo)
    progress: Callable[[str, int | None], Progress] | None = None

    def once(
        self,
        only: list[str] | None = None,
        *,
        pull: bool = True,
        push: bool = True,
        filings: bool = False,
    ) -> list[RunReport]:
        """One pass over the enabled portals; raises on the first fatal problem."""
        reports = []
        refused: PageRefused | None = None
        with StateStore(self.config.state_path) as state:
            gateway = self.gateway_factory(self.config)
            sync = Synchronizer(
                gateway,
                state,
                self.config.sync,
                self.stop,
                holder_id(),
                company=self.config.company,
                category_map=self.config.categories,
                progress=self.progress,
            )
            for portal in self.config.portals:
                if only and portal.name not in only:
                    continue
                if self.stop.is_set():
                    break
                client = build_client(portal, self.stop)
                binding = PortalBinding(client, portal.channel)
                due = filings_due(beijing_today()) if filings and portal.name == "regulator" else []
                try:
                    reports.append(sync.run(binding, pull=pull, push=push, filings=due))
                except PageRefused as exc:
                    # one portal's unreadable page must not hold up the other portal
                    refused = refused or exc
        if refused is not None:
            raise refused
        return reports

    def run_forever(self) -> int:
        """The daemon: jobs on the timetable until SIGTERM; returns the exit code."""
        outcome = {"code": EXIT_OK}

        def job(name: str, **kwargs: bool) -> Callable[[], None]:
            def run() -> None:
                try:
                    self.once(**kwargs)
                except (GaveUp, TemporaryFailure, LeaseBusy, LeaseLost, PageRefused) as exc:
                    # the next tick retries; a supervisor restart would not help
                    log.warning("job postponed", extra={"kv": {"job": name, "reason": str(exc)}})
                except Interrupted:
                    pass
                except Exception as exc:
                    code = exit_code_for(exc)
                    log.error(
                        "job failed, stopping",
                        extra={"kv": {"job": name, "error": str(exc), "exit": code}},
                        exc_info=code == EXIT_INTERNAL,
                    )
                    outcome["code"] = code
                    self.stop.set()

            return run

        scheduler = build_scheduler(
            self.config.cadence,
            sync=job("sync", push=False),
            push=job("push", pull=False),
            file=job("file", pull=False, push=False, filings=True),
        )
        log.info(
            "daemon started", extra={"kv": {**self.config.describe(), "sync_minutes": self.config.cadence.sync_minutes}}
        )
        run_until_stopped(scheduler, self.stop)
        log.info("daemon stopped", extra={"kv": {"exit": outcome["code"]}})
        return outcome["code"]
