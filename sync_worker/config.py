"""Configuration: a TOML file, overridden by ``SYNC_*`` environment variables.

Secrets never come from the TOML file. Each is read from its environment variable
(``ODOO_PASSWORD``, ``HOTLINE_TOKEN``, ``REGULATOR_SECRET``) or from a file named by
``<VAR>_FILE`` or by the ``*_file`` key in TOML; such a file must belong to the service
user and be unreadable by group and others (mode 0600 or 0400).
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .odoo_gateway import OdooSettings
from .retry import Backoff
from .sync import SyncSettings
from .timetable import Cadence


class ConfigError(Exception):
    """The configuration is unusable; the message says which key and why."""


# section -> key -> type; unknown keys are errors so that typos do not pass silently
_SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "odoo": {"url": str, "db": str, "login": str, "company": (str, int), "timeout": (int, float), "password_file": str},
    "state": {"path": str},
    "worker": {
        "page_size": int,
        "lease_ttl": (int, float),
        "push_batch": int,
        "push_overlap_s": int,
        "deadline_warning_h": (int, float),
        "retry_attempts": int,
        "retry_base_s": (int, float),
        "retry_ceiling_s": (int, float),
        "retry_after_ceiling_s": (int, float),
        "apply_call_s": (int, float),
    },
    "schedule": {"sync_minutes": int, "push_minutes": int, "filing_time": str},
    "log": {"format": str, "level": str},
    "hotline": {"enabled": bool, "url": str, "channel": str, "timeout": (int, float), "token_file": str},
    "regulator": {
        "enabled": bool,
        "url": str,
        "channel": str,
        "timeout": (int, float),
        "client_id": str,
        "secret_file": str,
    },
}
_SECRET_KEYS = {"password", "token", "secret"}
DEFAULT_CHANNELS = {"hotline": "provincial_center", "regulator": "regulator"}


@dataclass(frozen=True)
class PortalConfig:
    name: str
    url: str
    channel: str
    timeout: float
    token: str = field(default="", repr=False)
    client_id: str = ""
    secret: str = field(default="", repr=False)


@dataclass(frozen=True)
class Config:
    odoo: OdooSettings
    company: str | int | None
    state_path: Path
    sync: SyncSettings
    cadence: Cadence
    portals: tuple[PortalConfig, ...]
    categories: dict[str, str]
    log_format: str = "kv"
    log_level: str = "INFO"

    def secrets(self) -> list[str]:
        values = [self.odoo.password] + [p.token for p in self.portals] + [p.secret for p in self.portals]
        return [v for v in values if v]

    def describe(self) -> dict[str, Any]:
        """What may be logged: everything but secrets."""
        return {
            "odoo_url": self.odoo.url,
            "odoo_db": self.odoo.db,
            "odoo_login": self.odoo.login,
            "state": str(self.state_path),
            "portals": ",".join(f"{p.name}@{p.url}" for p in self.portals),
        }


def read_secret_file(path: Path) -> str:
    try:
        info = path.stat()
    except OSError as exc:
        raise ConfigError(f"secret file {path}: {exc.strerror}") from exc
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"secret file {path} is accessible to group or others (mode {stat.filemode(info.st_mode)}); chmod 600 it"
        )
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        raise ConfigError(f"secret file {path} does not belong to the service user")
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"secret file {path}: {exc.strerror}") from exc
    if not value:
        raise ConfigError(f"secret file {path} is empty")
    return value


def _secret(env: Mapping[str, str], var: str, file_key: str | None, section: dict[str, Any], base: Path) -> str:
    if env.get(var):
        return env[var]
    file_name = env.get(f"{var}_FILE") or (section.get(file_key) if file_key else None)
    if file_name:
        path = Path(file_name)
        return read_secret_file(path if path.is_absolute() else base / path)
    return ""


def _check_types(data: dict[str, Any]) -> None:
    for section, values in data.items():
        if section == "categories":
            if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
                raise ConfigError("[categories] maps portal category codes to complaint.category paths (strings)")
            continue
        if section not in _SCHEMA:
            raise ConfigError(f"unknown section [{section}] (known: {', '.join(sorted(_SCHEMA))}, categories)")
        if not isinstance(values, dict):
            raise ConfigError(f"[{section}] must be a table")
        for key, value in values.items():
            if key in _SECRET_KEYS:
                raise ConfigError(
                    f"[{section}] {key}: secrets are not read from the config file; "
                    f"use the environment or {key}_file (mode 0600)"
                )
            expected = _SCHEMA[section].get(key)
            if expected is None:
                raise ConfigError(f"[{section}] unknown key {key!r} (known: {', '.join(sorted(_SCHEMA[section]))})")
            if isinstance(value, bool) and expected is not bool:
                raise ConfigError(f"[{section}] {key}: expected {expected}, got a boolean")
            if not isinstance(value, expected):
                raise ConfigError(f"[{section}] {key}: wrong type {type(value).__name__}")


def _apply_env(data: dict[str, Any], env: Mapping[str, str]) -> None:
    for section, keys in _SCHEMA.items():
        for key, kind in keys.items():
            name = f"SYNC_{section}_{key}".upper()
            if name not in env:
                continue
            raw = env[name]
            table = data.setdefault(section, {})
            try:
                if kind is bool:
                    table[key] = raw.lower() in ("1", "true", "yes", "on")
                elif kind is int:
                    table[key] = int(raw)
                elif kind == (int, float):
                    table[key] = float(raw)
                else:
                    table[key] = raw
            except ValueError as exc:
                raise ConfigError(f"{name}: not a number: {raw!r}") from exc


def load_config(path: Path | None, env: Mapping[str, str] | None = None) -> Config:
    env = os.environ if env is None else env
    data: dict[str, Any] = {}
    base = Path.cwd()
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read config {path}: {exc.strerror}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config {path}: {exc}") from exc
        base = path.resolve().parent
    _check_types(data)
    _apply_env(data, env)
    _check_types(data)

    odoo = data.get("odoo", {})
    for key in ("url", "db", "login"):
        if not odoo.get(key):
            raise ConfigError(f"[odoo] {key} is required (or SYNC_ODOO_{key.upper()})")
    password = _secret(env, "ODOO_PASSWORD", "password_file", odoo, base)
    if not password:
        raise ConfigError("Odoo password missing: set ODOO_PASSWORD, ODOO_PASSWORD_FILE or [odoo] password_file")

    portals = []
    for name in ("hotline", "regulator"):
        section = data.get(name)
        if not section or not section.get("enabled", True):
            continue
        if not section.get("url"):
            raise ConfigError(f"[{name}] url is required when the portal is enabled")
        common: dict[str, Any] = {
            "name": name,
            "url": section["url"],
            "channel": section.get("channel", DEFAULT_CHANNELS[name]),
            "timeout": float(section.get("timeout", 30)),
        }
        if name == "hotline":
            token = _secret(env, "HOTLINE_TOKEN", "token_file", section, base)
            if not token:
                raise ConfigError(
                    "hotline token missing: set HOTLINE_TOKEN, HOTLINE_TOKEN_FILE or [hotline] token_file"
                )
            portals.append(PortalConfig(**common, token=token))
        else:
            secret = _secret(env, "REGULATOR_SECRET", "secret_file", section, base)
            if not section.get("client_id") or not secret:
                raise ConfigError(
                    "regulator needs [regulator] client_id and REGULATOR_SECRET "
                    "(or REGULATOR_SECRET_FILE / secret_file)"
                )
            portals.append(PortalConfig(**common, client_id=section["client_id"], secret=secret))
    if not portals:
        raise ConfigError("no portal enabled: configure [hotline] and/or [regulator]")

    worker = data.get("worker", {})
    sched = data.get("schedule", {})
    log_cfg = data.get("log", {})
    state_dir = env.get("STATE_DIRECTORY", "").split(":")[0]  # set by systemd's StateDirectory=
    state_raw = data.get("state", {}).get("path") or (
        str(Path(state_dir) / "sync-state.sqlite3") if state_dir else "sync-state.sqlite3"
    )
    state_path = Path(state_raw) if Path(state_raw).is_absolute() else base / state_raw
    odoo_timeout = float(odoo.get("timeout", 120))
    apply_call_s = float(worker.get("apply_call_s", 15))
    if apply_call_s <= 0:
        raise ConfigError("[worker] apply_call_s must be above 0")
    # a chunk aims at half of this: keep every Odoo call far below the Odoo timeout
    apply_call_s = min(apply_call_s, odoo_timeout / 4)
    settings = SyncSettings(
        page_size=_positive(worker, "page_size", 200, high=500),
        lease_ttl=float(worker.get("lease_ttl", 300)),
        push_batch=_positive(worker, "push_batch", 2000),
        push_overlap_s=int(worker.get("push_overlap_s", 300)),
        deadline_warning_h=float(worker.get("deadline_warning_h", 24)),
        apply_call_s=apply_call_s,
        backoff=Backoff(
            base=float(worker.get("retry_base_s", 0.5)),
            ceiling=float(worker.get("retry_ceiling_s", 60)),
            attempts=_positive(worker, "retry_attempts", 8),
            retry_after_ceiling=float(worker.get("retry_after_ceiling_s", 300)),
        ),
    )
    cadence = Cadence(
        sync_minutes=_positive(sched, "sync_minutes", 5),
        push_minutes=_positive(sched, "push_minutes", 60),
        filing_time=str(sched.get("filing_time", "09:00")),
    )
    fmt = str(log_cfg.get("format", "kv"))
    if fmt not in ("kv", "json"):
        raise ConfigError("[log] format must be kv or json")
    company = odoo.get("company")
    return Config(
        odoo=OdooSettings(
            url=odoo["url"],
            db=odoo["db"],
            login=odoo["login"],
            password=password,
            timeout=odoo_timeout,
        ),
        company=company if company not in ("", None) else None,
        state_path=state_path,
        sync=settings,
        cadence=cadence,
        portals=tuple(portals),
        categories=dict(data.get("categories", {})),
        log_format=fmt,
        log_level=str(log_cfg.get("level", "INFO")).upper(),
    )


def _positive(section: dict[str, Any], key: str, default: int, high: int | None = None) -> int:
    value = int(section.get(key, default))
    if value < 1 or (high is not None and value > high):
        raise ConfigError(f"{key} must be between 1 and {high or 'any'}, got {value}")
    return value
