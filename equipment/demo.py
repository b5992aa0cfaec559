"""The equipment register's part of the demo world (``manage.py build_demo_fixture``), run by
the core's story runner through ``EquipmentConfig.demo_stories``: the core does not import this
app. Days are counted back from the build date.

Fjordtobakk AS (fjord, whose portal user is the demo applicant) holds four registered
machines: one to request destruction of live, one whose destruction is scheduled five days
after the build (its reminders are due: run the destruction job), one witnessed and waiting for
the senior officer's countersignature, and one already destroyed with its certificate.
Tisza (tisza) has a machine seized under Art. 18."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from equipment.services import destruction, destruction_jobs, machines

MACHINES = {
    "fjord": [
        ("Hauni", "Protos M8", "PM8-204417", "maker", "8478.10", 2014, 480_000),
        ("Focke", "F8", "F8-0093-21", "packer", "8422.40", 2016, 24_000),
        ("Hauni", "KDF 5", "KDF5 11872", "filter", "8478.10", 2011, 600_000),
        ("Molins", "Mk 9.5", "MK95-7781", "maker", "8478.10", 2001, 300_000),
    ],
    "tisza": [("G.D", "X6", "GDX6-55190", "packer", "8422.40", 2012, 18_000)],
}


def stories(w: Any) -> list[Iterator[int]]:
    return [fjord_story(w), tisza_story(w)]


def _register(w: Any, key: str) -> list[Any]:
    licence = w.licences[key]
    site = licence.sites.order_by("pk").first() or licence.holder.sites.order_by("pk").first()
    registered = []
    for make, model, serial, kind, hs_code, year, capacity in MACHINES[key]:
        machine = machines.declare_machine(
            licence=licence,
            site=site,
            make=make,
            model=model,
            serial_number=serial,
            kind=kind,
            hs_code=hs_code,
            year=year,
            rated_capacity=capacity,
            by=w.officer,
        )
        registered.append(machines.register_machine(machine_id=machine.pk, by=w.officer))
    return registered


def _request(w: Any, machine: Any, key: str, *, planned_in: int) -> Any:
    return destruction.request_destruction(
        machine_ids=[machine.pk],
        by=w.by(key),
        method="shredding",
        planned_on=timezone.localdate() + dt.timedelta(days=planned_in),
    )


def _witness(w: Any, order: Any, machine: Any) -> None:
    destruction.record_destruction(
        order_id=order.pk,
        by=order.inspector,
        witnessed_at=timezone.now(),
        method=order.method,
        serials_seen=[machine.serial_number],
        witnesses="Ingrid Haugen, produksjonssjef",
    )


def fjord_story(w: Any) -> Iterator[int]:
    yield 320  # the licence was issued 680 days before the build
    _live, scheduled, witnessed, destroyed = _register(w, "fjord")
    yield 150
    first = _request(w, destroyed, "fjord", planned_in=50)
    yield 149
    destruction_jobs.assign_inspectors()  # what the destruction job does
    yield 100
    _witness(w, first, destroyed)
    yield 99
    destruction.countersign_destruction(order_id=first.pk, by=w.senior)
    yield 70
    second = _request(w, witnessed, "fjord", planned_in=60)
    yield 69
    destruction_jobs.assign_inspectors()
    yield 55
    _request(w, scheduled, "fjord", planned_in=60)  # five days after the build
    yield 54
    destruction_jobs.assign_inspectors()
    yield 10
    _witness(w, second, witnessed)


def tisza_story(w: Any) -> Iterator[int]:
    yield 300  # the licence was issued 400 days before the build
    (machine,) = _register(w, "tisza")
    yield 30
    machines.seize_machine(
        machine_id=machine.pk,
        by=w.officer,
        reason="Art. 18: found running a second, undeclared shift for an unlicensed buyer.",
    )
