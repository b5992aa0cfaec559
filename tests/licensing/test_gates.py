"""Gates: an app above the core holds a transition back without the core importing it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from licensing import gates
from licensing.exceptions import DomainError
from licensing.services import applications as services
from licensing.transitions import blockers
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


class HeldBack(DomainError):
    default_message = "Held back by a test gate."


def _hold(application: Any) -> list[DomainError]:
    return [HeldBack()] if application.change_description == "hold" else []


@pytest.fixture
def gate() -> Iterator[None]:
    gates.register_gate("application.approve", _hold)
    yield
    gates.unregister_gate("application.approve", _hold)


def test_a_gate_refuses_the_approval_through_the_service(gate, officer):
    application = ApplicationFactory(in_review=True, paid=True, change_description="hold")
    with pytest.raises(HeldBack):
        services.approve_application(application_id=application.pk, by=officer)
    application.refresh_from_db()
    assert application.state == "in_review"


def test_a_gate_gives_its_reason_among_the_blockers(gate, officer):
    application = ApplicationFactory(in_review=True, paid=True, change_description="hold")
    assert [type(e) for e in blockers(application, "approve", officer)] == [HeldBack]


def test_a_gate_that_finds_nothing_lets_the_approval_run(gate, officer):
    application = ApplicationFactory(in_review=True, paid=True)
    services.approve_application(application_id=application.pk, by=officer)
    application.refresh_from_db()
    assert application.state == "approved"


def test_a_gate_concerns_only_its_own_transition(gate, officer):
    application = ApplicationFactory(submitted=True, change_description="hold")
    assert blockers(application, "start_review", officer) == []


def test_gates_are_not_asked_while_the_demo_world_is_built(gate, officer):
    application = ApplicationFactory(in_review=True, paid=True, change_description="hold")
    with gates.suspended():
        assert blockers(application, "approve", officer) == []
    assert blockers(application, "approve", officer) != []
