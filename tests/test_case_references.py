"""Case references under concurrency, against a real Odoo (the Odoo tier): registrations at
the same moment never fail on the gap-free sequence and get distinct consecutive numbers,
and the number of a registration that was rolled back goes to the next one."""

from __future__ import annotations

import re
import threading
import uuid

import odoorpc
import pytest

import odoo_connection

pytestmark = pytest.mark.odoo
NUMBER = re.compile(r"(\d+)$")


def _connect(server):
    return odoo_connection.connect(server.url, server.db, server.login, server.password, timeout=300)


def _values(odoo, tag: str, **changes) -> dict:
    values = {
        "subject": f"Late delivery {tag}",
        "channel_id": odoo.env.ref("addon_complaints.complaint_channel_email").id,
        "partner_name": f"Customer {tag}",
        "partner_phone": "13900000000",
        "description": "The parcel came two days late.",
    }
    values.update(changes)
    return values


def _numbers(odoo, ids: list[int]) -> list[int]:
    return sorted(int(NUMBER.search(row["name"]).group(1))
                  for row in odoo.env["complaint.case"].read(ids, ["name"]))


def test_concurrent_registrations_get_distinct_consecutive_references(odoo_server):
    threads_count, each = 6, 3
    run = uuid.uuid4().hex[:6]
    created: list[int] = []
    failures: list[BaseException] = []
    start = threading.Barrier(threads_count)

    def register(n: int) -> None:
        try:
            odoo = _connect(odoo_server)
            start.wait()
            for i in range(each):
                created.append(odoo.env["complaint.case"].create(_values(odoo, f"{run}-{n}-{i}")))
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    workers = [threading.Thread(target=register, args=(n,)) for n in range(threads_count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(300)
    assert not failures, failures
    numbers = _numbers(_connect(odoo_server), created)
    assert len(numbers) == threads_count * each
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), "distinct and consecutive"


def test_number_of_a_rolled_back_registration_goes_to_the_next_one(odoo_server):
    odoo = _connect(odoo_server)
    cases = odoo.env["complaint.case"]
    run = uuid.uuid4().hex[:6]
    first = cases.create(_values(odoo, f"{run}-a"))
    with pytest.raises(odoorpc.error.RPCError):
        # nobody who complained: refused after the number was claimed
        cases.create(_values(odoo, f"{run}-b", partner_name=False, partner_phone=False))
    second = cases.create(_values(odoo, f"{run}-c"))
    assert _numbers(odoo, [first, second]) == [_numbers(odoo, [first])[0], _numbers(odoo, [first])[0] + 1]
