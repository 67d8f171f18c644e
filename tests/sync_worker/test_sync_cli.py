"""Command line, configuration, logs and timetable."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from sync_worker.config import ConfigError, load_config
from sync_worker.logs import setup_logging
from sync_worker.reference_portals.generate import seed
from sync_worker.timetable import Cadence, build_scheduler, filings_due, run_until_stopped

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret-odoo-pass"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_config(tmp_path: Path, hotline_url: str, odoo_port: int, extra: str = "") -> Path:
    path = tmp_path / "sync.toml"
    path.write_text(
        f"""
[odoo]
url = "http://127.0.0.1:{odoo_port}"
db = "complaints"
login = "sync-bot"
timeout = 2

[state]
path = "state.sqlite3"

[worker]
retry_attempts = 2
retry_base_s = 0.01
retry_ceiling_s = 0.05

[hotline]
url = "{hotline_url}"
{extra}
""",
        encoding="utf-8",
    )
    return path


def run_cli(args: list[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **env}
    full_env.pop("SYNC_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "sync_worker", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


ENV = {"ODOO_PASSWORD": SECRET, "HOTLINE_TOKEN": "hotline-token"}


def test_help_explains_commands_config_and_exit_codes():
    out = run_cli(["--help"], {}).stdout
    for needle in ("run", "once", "status", "ODOO_PASSWORD", "SIGTERM", "75", "temporary failure", "0600"):
        assert needle in out
    assert run_cli(["once", "--help"], {}).returncode == 0


def test_missing_config_is_exit_2():
    result = run_cli(["--config", "/nonexistent/sync.toml", "once"], ENV)
    assert result.returncode == 2
    assert "configuration error" in result.stderr


def test_unreachable_odoo_is_exit_75_and_secrets_stay_out_of_the_log(tmp_path, hotline):
    config = write_config(tmp_path, hotline.url, free_port())
    result = run_cli(["--config", str(config), "once", "--no-progress"], ENV)
    assert result.returncode == 75, result.stderr
    assert "Odoo unreachable" in result.stderr
    assert SECRET not in result.stderr and "hotline-token" not in result.stderr


def test_json_logs(tmp_path, hotline):
    config = write_config(tmp_path, hotline.url, free_port())
    result = run_cli(["--config", str(config), "--log-format", "json", "once"], ENV)
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert lines and all({"ts", "level", "msg"} <= set(line) for line in lines)


def test_daemon_stops_cleanly_on_sigterm(tmp_path, hotline):
    seed(hotline.store, "hotline", 3)
    config = write_config(tmp_path, hotline.url, free_port())
    proc = subprocess.Popen(
        [sys.executable, "-m", "sync_worker", "--config", str(config), "run"],
        cwd=ROOT,
        env={**os.environ, **ENV},
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = []
    for line in proc.stderr:  # the signal handler is in place once the daemon has started
        seen.append(line)
        if "daemon started" in line:
            break
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=20)
    finally:
        proc.kill()
    err = "".join(seen) + proc.stderr.read()
    assert code == 0, err
    assert "shutdown requested" in err and "daemon stopped" in err


def test_status_reads_the_state_file(tmp_path):
    result = run_cli(["status", "--state", str(tmp_path / "s.sqlite3")], {})
    assert result.returncode == 0
    assert "hotline: cursor=''" in result.stdout


# -- configuration ----------------------------------------------------------------------


def test_config_from_file_and_environment(tmp_path):
    config_path = write_config(tmp_path, "http://127.0.0.1:1/RPC2", 8069)
    env = {**ENV, "SYNC_ODOO_DB": "other", "SYNC_WORKER_PAGE_SIZE": "50", "SYNC_LOG_FORMAT": "json"}
    config = load_config(config_path, env)
    assert config.odoo.db == "other" and config.odoo.password == SECRET
    assert config.sync.page_size == 50 and config.log_format == "json"
    assert config.state_path == tmp_path / "state.sqlite3"
    assert [p.name for p in config.portals] == ["hotline"] and config.portals[0].channel == "provincial_center"
    assert SECRET not in repr(config) and "hotline-token" not in repr(config)


def test_state_directory_from_systemd(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[odoo]\nurl="http://x"\ndb="d"\nlogin="l"\n[hotline]\nurl="http://h"\n')
    config = load_config(path, {**ENV, "STATE_DIRECTORY": "/var/lib/complaints-sync"})
    assert config.state_path == Path("/var/lib/complaints-sync/sync-state.sqlite3")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[odoo]\nurl="http://x"\ndb="d"\nlogin="l"\npassword="p"\n', "secrets are not read from the config file"),
        ('[odoo]\nurl="http://x"\ndb="d"\nlogin="l"\nbogus=1\n', "unknown key 'bogus'"),
        ('[odooo]\nurl="x"\n', "unknown section [odooo]"),
        ("[odoo]\nurl=5\n", "wrong type int"),
        ('[odoo]\nurl="http://x"\ndb="d"\n', "[odoo] login is required"),
        ('[odoo]\nurl="http://x"\ndb="d"\nlogin="l"\n', "no portal enabled"),
        ("not toml at all [", "config"),
    ],
)
def test_config_errors(tmp_path, text, message):
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path, ENV)
    assert message in str(info.value)


def test_secret_files_must_be_private(tmp_path):
    secret = tmp_path / "odoo-password"
    secret.write_text(SECRET + "\n")
    path = tmp_path / "c.toml"
    path.write_text(
        '[odoo]\nurl="http://x"\ndb="d"\nlogin="l"\npassword_file="odoo-password"\n[hotline]\nurl="http://h"\n'
    )
    env = {"HOTLINE_TOKEN": "t"}
    secret.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_config(path, env)
    secret.chmod(0o600)
    assert load_config(path, env).odoo.password == SECRET
    assert load_config(path, {**env, "ODOO_PASSWORD_FILE": str(secret)}).odoo.password == SECRET
    with pytest.raises(ConfigError, match="password missing"):
        load_config(_without_password(tmp_path), env)


def _without_password(tmp_path: Path) -> Path:
    path = tmp_path / "np.toml"
    path.write_text('[odoo]\nurl="http://x"\ndb="d"\nlogin="l"\n[hotline]\nurl="http://h"\n')
    return path


# -- logs --------------------------------------------------------------------------------


def test_kv_logs_mask_secrets():
    stream = io.StringIO()
    setup_logging("kv", "INFO", [SECRET], stream)
    logging.getLogger("t").info("connecting with %s", SECRET, extra={"kv": {"url": f"http://u:{SECRET}@h", "n": 3}})
    line = stream.getvalue()
    assert SECRET not in line
    assert 'msg="connecting with ***"' in line and "n=3" in line


# -- timetable ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "labels"),
    [
        (dt.date(2026, 3, 20), ["2026Q1"]),
        (dt.date(2026, 3, 30), ["2026Q1"]),  # caught up after an outage
        (dt.date(2026, 4, 30), ["2025"]),
        (dt.date(2026, 5, 20), []),
        (dt.date(2026, 12, 20), ["2026Q4"]),
        (dt.date(2027, 1, 2), ["2026Q4"]),
    ],
)
def test_filing_dates(day, labels):
    assert [p.label for p in filings_due(day)] == labels


def test_quarter_period_runs_from_its_first_day_to_the_filing_day_in_beijing_time():
    (q1,) = filings_due(dt.date(2026, 3, 20))
    assert q1.start == dt.datetime(2025, 12, 31, 16, 0)  # 2026-01-01 00:00 +08:00
    assert q1.end == dt.datetime(2026, 3, 20, 16, 0)  # end of 2026-03-20 Beijing


def test_scheduler_runs_jobs_and_stops():
    stop = threading.Event()
    ran: list[str] = []
    scheduler = build_scheduler(
        Cadence(sync_minutes=1, push_minutes=1),
        sync=lambda: ran.append("sync"),
        push=lambda: (ran.append("push"), stop.set()),
        file=lambda: ran.append("file"),
    )
    runner = threading.Thread(target=run_until_stopped, args=(scheduler, stop))
    runner.start()
    runner.join(timeout=5)
    assert not runner.is_alive()
    assert ran == ["sync", "push"]  # first pass runs at once; filings wait for their hour
