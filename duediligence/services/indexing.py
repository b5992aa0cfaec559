"""(Re)building the screening keys of parties from their current records.

Called when an application is submitted, when a record that carries a key is saved (see
``duediligence.receivers``), by the screening itself for the applicant, and for everything by
``manage.py index_screening_keys``. Keys are derived data: a party's keys are replaced as a
whole, in one transaction, so a screening never sees half of them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from duediligence.models import BlockedCustomer, KeyKind, ScreeningKey
from duediligence.normalise import (
    account_key,
    address_key,
    free_address_key,
    iban_key,
    id_document_key,
    name_key,
    number_key,
    person_key,
    serial_key,
)
from licensing.models import (
    ApplicationState,
    BankAccount,
    DeclaredMachine,
    Party,
    PartyKind,
    Person,
    Site,
    TaxRegistration,
)
from licensing.models.applications import OPEN_STATES
from licensing.services.proposals import draft_party

# Declared machines of these applications are not (or no longer) claimed by the applicant.
UNCLAIMED_STATES = (ApplicationState.DRAFT, ApplicationState.WITHDRAWN)
K = TypeVar("K")


def _ct(model: type[models.Model]) -> ContentType:
    return ContentType.objects.get_for_model(model)


def _key(kind: str, value: str, source: models.Model, **links: Any) -> ScreeningKey | None:
    if not value:
        return None
    return ScreeningKey(
        kind=kind,
        value=value[:255],
        source_type=_ct(type(source)),
        source_id=source.pk,
        **links,
    )


def current_persons_q() -> Q:
    today = timezone.localdate()
    return Q(active_until__isnull=True) | Q(active_until__gt=today)


def _own_keys(party: Party, values: Party, key: Callable[..., K]) -> Iterator[K]:
    """The keys of the party's own fields, read from ``values`` (the party, or what an
    application under review proposes for it). ``key`` makes each (``_key``: a ScreeningKey)."""
    link = {"party": party}
    yield key(KeyKind.NAME, name_key(values.legal_name), party, **link)
    if values.trade_name:
        yield key(KeyKind.NAME, name_key(values.trade_name), party, **link)
    country = str(values.country)
    yield key(KeyKind.REGISTRATION, number_key(country, values.registration_number), party, **link)
    if values.kind == PartyKind.NATURAL:
        yield key(
            KeyKind.PERSON, person_key(values.legal_name, values.date_of_birth), party, **link
        )
        yield key(
            KeyKind.ID_DOCUMENT,
            id_document_key(str(values.identity_document_country), values.identity_document_number),
            party,
            **link,
        )
    for text in (values.headquarters_address, values.principal_place_of_business, values.address):
        yield key(KeyKind.ADDRESS, free_address_key(text, country), party, **link)


def _site_key(site: Site, key: Callable[..., K], **link: Any) -> K:
    return key(
        KeyKind.ADDRESS,
        address_key(
            street=site.street_address, postcode=site.postal_code, country=str(site.country)
        ),
        site,
        **link,
    )


def party_keys(party: Party) -> Iterator[ScreeningKey | None]:
    """Every key of one party, from the records prefetched by ``_parties``: its approved records,
    and what its applications under review propose (Art. 6.3(d): the checks see the proposal)."""
    link = {"party": party}
    yield from _own_keys(party, party, _key)
    for application in party.applications.all():
        if application.state in OPEN_STATES and application.party_changes:
            yield from _own_keys(party, draft_party(party, application), _key)
    for tax in getattr(party, "current_taxes", []):
        yield _key(KeyKind.TAX, number_key(str(tax.country), tax.number), tax, **link)
    for person in getattr(party, "current_people", []):
        person_link = {"party": party, "person": person}
        yield _key(
            KeyKind.PERSON,
            person_key(person.full_name, person.date_of_birth),
            person,
            **person_link,
        )
        yield _key(
            KeyKind.ID_DOCUMENT,
            id_document_key(str(person.identity_document_country), person.identity_document_number),
            person,
            **person_link,
        )
    for account in getattr(party, "current_accounts", []):
        if account.iban:
            yield _key(KeyKind.IBAN, iban_key(account.iban), account, **link)
        else:
            yield _key(
                KeyKind.ACCOUNT,
                account_key(str(account.bank_country), account.account_number),
                account,
                **link,
            )
    for site in party.sites.all():
        yield _site_key(site, _key, **link)
    for application in party.applications.all():
        for machine in application.declared_machines.all():
            yield _key(KeyKind.SERIAL, serial_key(machine.serial_number), machine, **link)


# Approved records, and the proposals of applications under review.
SCREENED = Q(proposed_in__isnull=True) | Q(proposed_in__state__in=OPEN_STATES)


def _parties(party_ids: Iterable[int]) -> models.QuerySet[Party]:
    return Party.objects.filter(pk__in=list(party_ids)).prefetch_related(
        Prefetch(
            "tax_registrations",
            TaxRegistration.with_proposals.filter(SCREENED).current(),
            to_attr="current_taxes",
        ),
        Prefetch(
            "persons",
            Person.with_proposals.filter(SCREENED).filter(current_persons_q()),
            to_attr="current_people",
        ),
        Prefetch(
            "bank_accounts",
            BankAccount.with_proposals.filter(SCREENED).current(),
            to_attr="current_accounts",
        ),
        Prefetch("sites", Site.with_proposals.filter(SCREENED).order_by("pk")),
        Prefetch(
            "applications__declared_machines",
            DeclaredMachine.objects.exclude(application__state__in=UNCLAIMED_STATES),
        ),
    )


@transaction.atomic
def index_parties(party_ids: Iterable[int]) -> int:
    """Bring the keys of these parties in line with their current records; returns how many
    keys they have. Only what changed is deleted or inserted, so that screening, which re-indexes
    the applicant each time, writes nothing when nothing changed."""
    ids = list(party_ids)
    if not ids:
        return 0
    wanted: dict[tuple[Any, ...], ScreeningKey] = {}
    for party in _parties(ids):
        for key in party_keys(party):
            if key is not None:
                wanted.setdefault(_identity(key), key)
    stale, kept = [], 0
    for row in ScreeningKey.objects.filter(party_id__in=ids).values_list(
        "pk", "kind", "value", "source_type_id", "source_id", "party_id", "person_id"
    ):
        if wanted.pop(row[1:], None) is None:
            stale.append(row[0])
        else:
            kept += 1
    if stale:
        ScreeningKey.objects.filter(pk__in=stale).delete()
    if wanted:
        ScreeningKey.objects.bulk_create(list(wanted.values()), batch_size=2000)
    return kept + len(wanted)


def _identity(key: ScreeningKey) -> tuple[Any, ...]:
    return (
        key.kind,
        key.value,
        key.source_type_id,
        key.source_id,
        key.party_id,
        key.person_id,
    )


# The columns of ``new_record_key_rows``.
KEY_COLUMNS = ("kind", "value", "source_type_id", "source_id", "party_id", "person_id")
KeyRow = tuple[str, str, int, int, int, None]


def new_record_key_rows(parties: Iterable[Party], sites: Iterable[Site]) -> Iterator[KeyRow]:
    """The keys that ``index_parties`` would write for records just created in bulk (a register
    import), as rows of ``KEY_COLUMNS`` made one at a time, without reading the records back:
    the parties' own keys (they have no applications, tax registrations, persons, accounts or
    machines yet) and each new site's address key, for a party just created or one on record
    (whose other keys are already indexed)."""
    content_types: dict[type[models.Model], int] = {}

    def row(
        kind: str,
        value: str,
        source: models.Model,
        *,
        party: Party | None = None,
        party_id: int = 0,
    ) -> KeyRow | None:
        if not value:
            return None
        model = type(source)
        if model not in content_types:
            content_types[model] = _ct(model).pk
        owner = party.pk if party is not None else party_id
        return (kind, value[:255], content_types[model], source.pk, owner, None)

    seen: set[KeyRow] = set()
    for party in parties:
        for key in _own_keys(party, party, row):
            if key is not None and key not in seen:
                seen.add(key)
                yield key
    for site in sites:
        key = _site_key(site, row, party_id=site.party_id)
        if key is not None and key not in seen:
            seen.add(key)
            yield key


def index_party(party: Party | int) -> int:
    return index_parties([party if isinstance(party, int) else party.pk])


def blocked_keys(blocked: BlockedCustomer) -> Iterator[ScreeningKey | None]:
    """A free identity's own keys (Art. 7.4): a blocked party or person is found through the
    party's and person's keys instead."""
    country = str(blocked.country)
    if blocked.name:
        yield _key(KeyKind.NAME, name_key(blocked.name), blocked)
        yield _key(KeyKind.PERSON, person_key(blocked.name, blocked.date_of_birth), blocked)
    yield _key(KeyKind.REGISTRATION, number_key(country, blocked.registration_number), blocked)
    yield _key(KeyKind.TAX, number_key(country, blocked.tax_number), blocked)
    yield _key(
        KeyKind.ID_DOCUMENT, id_document_key(country, blocked.identity_document_number), blocked
    )
    yield _key(KeyKind.IBAN, iban_key(blocked.iban), blocked)
    yield _key(KeyKind.ADDRESS, free_address_key(blocked.address, country), blocked)


@transaction.atomic
def index_blocked_customer(blocked: BlockedCustomer) -> int:
    source = {"source_type": _ct(BlockedCustomer), "source_id": blocked.pk}
    ScreeningKey.objects.filter(**source).delete()
    keys = [key for key in blocked_keys(blocked) if key is not None]
    ScreeningKey.objects.bulk_create(keys)
    return len(keys)


def index_everything(*, batch_size: int = 500) -> int:
    """Every party, every blocked identity, every licensee's report and every seizure case
    (``manage.py index_screening_keys``; after a change of the normalisers, for example)."""
    from duediligence.services.report_keys import index_all_reports
    from duediligence.services.seizure_keys import index_all_cases

    written = 0
    ids = list(Party.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        written += index_parties(ids[start : start + batch_size])
    for blocked in BlockedCustomer.objects.filter(party__isnull=True, person__isnull=True):
        written += index_blocked_customer(blocked)
    return written + index_all_reports() + index_all_cases()
