"""Simulated complaint-desk users for bench_load.py: Locust users that speak Odoo's JSON-RPC
the way the web client does (``/web/session/authenticate``, then ``/web/dataset/call_kw``).

Each user logs in as one Odoo account of its role and walks cases through the steps that
role takes, with think time between requests:

* clerk (intake): list their cases, register a case (``web_save``), read its form, accept it;
* office: dispatch accepted cases to a department and handler; verify feedback, write and
  send the reply;
* manager: take (accept) the dispatch orders of their department, sign the feedback;
* handler: record the handling sheet (``web_save``) and submit the feedback.

Cases pass from role to role through in-process queues, so that two users never race for
the same case (what a real desk avoids by assignment) and every error counted is one the
server made. A user with nothing to do browses: list and form, as people do between tasks.

Run by bench_load.py in a process of its own (Locust patches the standard library for
gevent)::

    python bench/load_users.py --url URL --db DB --accounts accounts.json --users 25 \\
        --min-seconds 60 --max-seconds 900 --stop-file STOP --json out.json
"""

from __future__ import annotations

import gevent.monkey

gevent.monkey.patch_all()

import argparse  # noqa: E402
import collections  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
from locust import FastHttpUser, between, events, task  # noqa: E402
from locust.env import Environment  # noqa: E402
from locust.exception import StopUser  # noqa: E402
from locust.stats import calculate_response_time_percentile  # noqa: E402

_logger = logging.getLogger("bench.load_users")

STEPS = ("login", "list", "form", "register", "accept", "dispatch", "take", "handle", "feedback", "sign",
         "verify", "reply")
CASE = "complaint.case"
LIST_FIELDS = {"name": {}, "subject": {}, "state": {}, "date_received": {}, "deadline_status": {},
               "level": {}, "partner_name": {}}
FORM_FIELDS = {**LIST_FIELDS, "description": {}, "customer_demand": {}, "date_deadline": {},
               "department_id": {"fields": {"display_name": {}}}, "handler_user_id": {"fields": {"display_name": {}}},
               "assignment_ids": {"fields": {"state": {}, "is_lead": {}, "department_id": {"fields": {}}}}}


@dataclass(frozen=True)
class Account:
    login: str
    password: str
    role: str
    uid: int
    department_id: int = 0


class Desk:
    """What the simulated desk shares: accounts by role and the cases waiting at each step."""

    def __init__(self, accounts: list[Account], setup: dict):
        self.by_role: dict[str, collections.deque[Account]] = collections.defaultdict(collections.deque)
        for account in accounts:
            self.by_role[account.role].append(account)
        self.setup = setup
        self.to_dispatch: collections.deque[int] = collections.deque()
        self.to_take: dict[int, collections.deque[int]] = collections.defaultdict(collections.deque)
        self.to_handle: dict[int, collections.deque[int]] = collections.defaultdict(collections.deque)
        self.to_sign: dict[int, collections.deque[int]] = collections.defaultdict(collections.deque)
        self.to_verify: collections.deque[int] = collections.deque()
        # departments whose manager and handler are at work: only these are dispatched to
        self.departments: list[int] = []
        self.turn = itertools.count()
        self.replied = 0

    def account(self, role: str) -> Account:
        """The next account of the role (round robin: several users may share one)."""
        pool = self.by_role[role]
        account = pool[0]
        pool.rotate(-1)
        if role == "manager" and account.department_id not in self.departments:
            self.departments.append(account.department_id)
        return account

    def next_department(self) -> tuple[int, int]:
        """A department at work and its handler, in turn."""
        department = self.departments[next(self.turn) % len(self.departments)]
        return department, self.setup["handler_of"][str(department)]


DESK: Desk | None = None


class RpcFailure(Exception):
    """An answer of Odoo's JSON-RPC with an error: ``kind`` is the exception's class."""

    def __init__(self, kind: str, message: str):
        super().__init__(f"{kind}: {message}")
        self.kind = kind


class DeskUser(FastHttpUser):
    """One person at the desk; subclasses say which role and what they do."""

    abstract = True
    role = ""
    wait_time = between(2, 6)
    network_timeout = 120.0
    connection_timeout = 30.0

    def on_start(self) -> None:
        assert DESK is not None
        self.desk = DESK
        self.me = self.desk.account(self.role)
        self.rpc("/web/session/authenticate", {"db": self.desk.setup["db"], "login": self.me.login,
                                               "password": self.me.password}, "login")

    # -- JSON-RPC --------------------------------------------------------------------------
    def rpc(self, path: str, params: dict, step: str):
        payload = {"jsonrpc": "2.0", "method": "call", "id": random.randrange(1 << 30), "params": params}
        with self.client.post(path, json=payload, name=step, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                raise StopUser() if response.status_code in (401, 403) else RpcFailure(
                    f"HTTP {response.status_code}", "")
            try:
                body = response.json()
            except ValueError:
                response.failure("not JSON")
                raise RpcFailure("NotJSON", response.text[:200]) from None
            error = body.get("error")
            if error:
                data = error.get("data") or {}
                kind = (data.get("name") or error.get("message") or "error").rsplit(".", 1)[-1]
                message = (data.get("message") or "")[:300]
                response.failure(kind)
                raise RpcFailure(kind, message)
            response.success()
            return body.get("result")

    def call(self, model: str, method: str, args: list, kwargs: dict | None, step: str):
        kwargs = dict(kwargs or {})
        kwargs.setdefault("context", {"lang": "en_US", "tz": "Asia/Shanghai", "uid": self.me.uid})
        return self.rpc(f"/web/dataset/call_kw/{model}/{method}",
                        {"model": model, "method": method, "args": args, "kwargs": kwargs}, step)

    # -- what every role does between tasks -----------------------------------------------------
    def browse(self, domain: list) -> list[int]:
        result = self.call(CASE, "web_search_read", [], {"domain": domain, "specification": LIST_FIELDS,
                                                          "limit": 80, "order": "date_received desc"}, "list")
        ids = [row["id"] for row in result["records"]]
        if ids:
            self.form(random.choice(ids))
        return ids

    def form(self, case_id: int) -> dict:
        return self.call(CASE, "web_read", [[case_id]], {"specification": FORM_FIELDS}, "form")[0]

    def pause(self) -> None:
        gevent.sleep(self.wait_time())

    def step(self, queue: collections.deque, todo) -> bool:
        """Do ``todo(case_id)`` for the next waiting case; put it back if the server failed."""
        if not queue:
            return False
        case_id = queue.popleft()
        try:
            todo(case_id)
        except RpcFailure:
            queue.append(case_id)  # the step is retried later, as a person would
        return True


class Clerk(DeskUser):
    role = "clerk"
    weight = 4

    @task
    def register_and_accept(self) -> None:
        try:
            self.browse([("owner_user_id", "=", self.me.uid)])
            self.pause()
            n = random.randrange(10**6)
            saved = self.call(CASE, "web_save", [[], {
                "subject": f"Delivery late, order {n}",
                "demand_type": "complaint",
                "channel_id": self.desk.setup["channel_id"],
                "partner_name": f"Customer {n}",
                "partner_phone": f"139{n:08d}",
                "description": "The parcel promised for Monday arrived on Wednesday, opened.",
                "customer_demand": "Deliver on the agreed day and replace the damaged goods.",
                "category_id": self.desk.setup["category_id"],
                "readback_confirmed": True,
            }], {"specification": {"name": {}, "state": {}}}, "register")
            case_id = saved[0]["id"]
            self.pause()
            if self.form(case_id)["state"] != "draft":
                # the server recorded it on an earlier case of the same caller (a repeat, as
                # two random callers may draw the same number): the clerk has nothing to accept
                return
            self.call(CASE, "action_accept", [[case_id]], {}, "accept")
            self.desk.to_dispatch.append(case_id)
        except RpcFailure:
            pass


class Office(DeskUser):
    role = "office"
    weight = 2

    @task
    def work(self) -> None:
        try:
            if not (self.step(self.desk.to_verify, self.verify_and_reply)
                    or self.step(self.desk.to_dispatch, self.dispatch)):
                self.browse([("state", "in", ["accepted", "feedback", "verified"])])
        except RpcFailure:
            pass

    def dispatch(self, case_id: int) -> None:
        self.form(case_id)
        self.pause()
        department_id, handler_uid = self.desk.next_department()
        self.call(CASE, "action_dispatch", [[case_id], department_id], {"assignee": handler_uid}, "dispatch")
        self.desk.to_take[department_id].append(case_id)

    def verify_and_reply(self, case_id: int) -> None:
        self.form(case_id)
        self.call(CASE, "action_verify", [[case_id]], {}, "verify")
        self.pause()
        self.call(CASE, "web_save", [[case_id], {"reply_text": "We apologise: the parcel is replaced and "
                                                              "deliveries to you are now checked."}],
                  {"specification": {"state": {}}}, "reply")
        self.call(CASE, "action_reply", [[case_id]], {}, "reply")
        self.desk.replied += 1


class Manager(DeskUser):
    role = "manager"
    weight = 2

    @task
    def work(self) -> None:
        department = self.me.department_id
        try:
            if not (self.step(self.desk.to_sign[department], self.sign)
                    or self.step(self.desk.to_take[department], self.take)):
                self.browse([("department_id", "=", department)])
        except RpcFailure:
            pass

    def take(self, case_id: int) -> None:
        case = self.form(case_id)
        lead = [a["id"] for a in case["assignment_ids"] if a["is_lead"] and a["state"] == "pending"]
        if lead:
            self.call("complaint.assignment", "action_accept", [lead], {}, "take")
        self.desk.to_handle[self.me.department_id].append(case_id)

    def sign(self, case_id: int) -> None:
        self.form(case_id)
        self.call(CASE, "action_sign_feedback", [[case_id]], {}, "sign")
        self.desk.to_verify.append(case_id)


class Handler(DeskUser):
    role = "handler"
    weight = 2

    @task
    def work(self) -> None:
        department = self.me.department_id
        try:
            if not self.step(self.desk.to_handle[department], self.handle):
                self.browse([("department_id", "=", department)])
        except RpcFailure:
            pass

    def handle(self, case_id: int) -> None:
        self.form(case_id)
        self.pause()
        self.call(CASE, "web_save", [[case_id], {
            "facts": "The courier's log shows the parcel left the depot two days late.",
            "cause_type": "company",
            "cause_analysis": "No spare van on the route.",
            "handling_opinion": "Apologise, replace the goods, plan a spare van.",
            "handling_hours": 1.5,
            "handling_process": "Called the customer, checked the log, sent a replacement.",
            "handling_result": "Replacement delivered; the customer accepted the apology.",
            "handling_satisfaction": "satisfied",
        }], {"specification": {"state": {}}}, "handle")
        self.call(CASE, "action_submit_feedback", [[case_id]], {}, "feedback")
        self.desk.to_sign[self.me.department_id].append(case_id)


@dataclass
class StepFigures:
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float
    max: float


def _figures(response_times: dict[int, int], requests: int, failures: int, seconds: float,
             longest_ms: float | None = None) -> dict:
    """Figures of one step (the longest time defaults to the histogram's, which Locust rounds
    to two significant digits above 100 ms)."""
    percentile = lambda p: calculate_response_time_percentile(response_times, requests, p) / 1000  # noqa: E731
    longest = max(response_times, default=0) if longest_ms is None else longest_ms
    return StepFigures(requests, failures, round(requests / seconds, 2) if seconds else 0.0,
                       percentile(0.50), percentile(0.95), percentile(0.99), round(longest / 1000, 3)).__dict__


def snapshot(env: Environment) -> dict:
    """Each step's counts and response-time histogram so far."""
    return {step: (dict(entry.response_times), entry.num_requests, entry.num_failures, entry.max_response_time)
            for step in STEPS if (entry := env.stats.entries.get((step, "POST"))) is not None}


def summarize(env: Environment, seconds: float, ramp: dict | None, ramp_seconds: float) -> dict:
    """Figures per step over the whole run, and over the steady state: from the moment every
    user has logged in (the logins themselves, all in the ramp-up, are left out of it)."""
    steps, steady = {}, {}
    for step, (times, requests, failures, longest) in snapshot(env).items():
        if not requests:
            continue
        steps[step] = _figures(times, requests, failures, seconds, longest)
        if ramp is None or step == "login":
            continue
        before, before_requests, before_failures, _longest = ramp.get(step, ({}, 0, 0, 0))
        after = {ms: count - before.get(ms, 0) for ms, count in times.items() if count > before.get(ms, 0)}
        if requests > before_requests:
            steady[step] = _figures(after, requests - before_requests, failures - before_failures,
                                    seconds - ramp_seconds)
    errors: dict[str, dict[str, int]] = collections.defaultdict(dict)
    for error in env.stats.errors.values():
        errors[error.name][str(error.error)] = error.occurrences
    return {"seconds": round(seconds, 1), "steps": steps, "errors": errors,
            "steady": {"from_s": round(ramp_seconds, 1), "steps": steady} if ramp is not None else None}


def run(args: argparse.Namespace) -> dict:
    global DESK
    setup = json.loads(args.accounts.read_text(encoding="utf-8"))
    DESK = Desk([Account(**a) for a in setup.pop("accounts")], setup)
    for cls in (Clerk, Office, Manager, Handler):
        cls.wait_time = between(args.think_min, args.think_max)
    env = Environment(user_classes=[Clerk, Office, Manager, Handler], host=args.url, events=events)
    runner = env.create_local_runner()
    started = time.monotonic()
    runner.start(args.users, spawn_rate=args.spawn_rate)
    ramp, ramp_seconds = None, 0.0
    while True:
        gevent.sleep(1)
        elapsed = time.monotonic() - started
        logins = env.stats.entries.get(("login", "POST"))
        if ramp is None and logins is not None and logins.num_requests >= args.users:
            ramp, ramp_seconds = snapshot(env), elapsed
        if elapsed >= args.max_seconds or (elapsed >= args.min_seconds and args.stop_file.exists()):
            break
    seconds = time.monotonic() - started
    runner.quit()
    figures = summarize(env, seconds, ramp, ramp_seconds)
    figures.update(users=args.users, replied=DESK.replied)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--accounts", type=Path, required=True, help="JSON written by bench_load.py")
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--min-seconds", type=float, default=60)
    parser.add_argument("--max-seconds", type=float, default=900)
    parser.add_argument("--stop-file", type=Path, default=Path(os.devnull + ".absent"),
                        help="stop (after --min-seconds) once this file exists")
    parser.add_argument("--think-min", type=float, default=2.0)
    parser.add_argument("--think-max", type=float, default=6.0)
    parser.add_argument("--spawn-rate", type=float, default=1.0, help="users starting (logging in) a second")
    parser.add_argument("--json", type=Path, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    figures = run(args)
    args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
