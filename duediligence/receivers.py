"""What due diligence does when the core tells it something (``licensing.signals``) or when a
record that carries a screening key is saved."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from duediligence.models import BlockedCustomer
from licensing.jobs import enqueue
from licensing.models import (
    Application,
    ApplicationState,
    BankAccount,
    DeclaredMachine,
    Party,
    Person,
    Site,
    TaxRegistration,
)
from licensing.signals import demo_loaded, state_changed
from returns.signals import return_filed


def on_state_changed(sender: Any, *, pk: int, to_state: str, **kwargs: Any) -> None:
    """Art. 6.3(d): a submitted application gets its review (sent after commit)."""
    if sender is not Application:
        return
    from duediligence import tasks

    if to_state == ApplicationState.SUBMITTED:
        enqueue(tasks.review_submitted_application, application_id=pk)
    elif to_state == ApplicationState.WITHDRAWN:
        party_id = Application.objects.filter(pk=pk).values_list("party_id", flat=True).first()
        # The withdrawn application's keys leave the index. The broker down, the party is
        # indexed here: one party's keys are as cheap as a saved record's (on_record_saved).
        if party_id and not enqueue(tasks.index_party_keys, party_id=party_id):
            from duediligence.services.indexing import index_party

            index_party(party_id)


def _party_id(instance: Any) -> int | None:
    if isinstance(instance, Party):
        return int(instance.pk)
    if isinstance(instance, DeclaredMachine):
        return (
            Application.objects.filter(pk=instance.application_id)
            .values_list("party_id", flat=True)
            .first()
        )
    return getattr(instance, "party_id", None)


def on_record_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """A record with a key changed: its party's keys are rebuilt once the change commits (a
    fixture being loaded, ``raw``, is indexed as a whole afterwards)."""
    if raw:
        return
    from duediligence.services.indexing import index_party

    party_id = _party_id(instance)
    if party_id is not None:
        transaction.on_commit(lambda: index_party(party_id))


def on_blocked_saved(sender: Any, instance: BlockedCustomer, raw: bool = False, **kw: Any) -> None:
    if raw:
        return
    from duediligence.services.indexing import index_blocked_customer

    transaction.on_commit(lambda: index_blocked_customer(instance))


def on_return_filed(sender: Any, *, filed_return: Any, **kwargs: Any) -> None:
    """Art. 9.1: a return was filed (sent after its commit): its checks run in a job."""
    from duediligence import tasks

    enqueue(tasks.check_filed_return, filed_return.pk)


def on_demo_loaded(sender: Any, **kwargs: Any) -> None:
    from duediligence.services.reviews import review_open_applications
    from duediligence.services.risk_scores import keep_all

    review_open_applications()
    keep_all()  # every licensee's risk score, for the management page (issue 22)


KEYED_MODELS = (Party, Person, TaxRegistration, BankAccount, Site, DeclaredMachine)


def connect() -> None:
    state_changed.connect(on_state_changed, dispatch_uid="duediligence.state_changed")
    demo_loaded.connect(on_demo_loaded, dispatch_uid="duediligence.demo_loaded")
    for model in KEYED_MODELS:
        post_save.connect(
            on_record_saved, sender=model, dispatch_uid=f"duediligence.keys.{model.__name__}"
        )
    post_save.connect(on_blocked_saved, sender=BlockedCustomer, dispatch_uid="duediligence.blocked")
    return_filed.connect(on_return_filed, dispatch_uid="duediligence.return_filed")
    from duediligence import return_panels  # noqa: F401  (registers the panels and the view)
