"""The key index and the adverse sources: who is linked to whom, and through what."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from duediligence.models import KeyKind, ScreeningKey
from duediligence.normalise import name_key
from duediligence.screening import machine_matches, related_parties
from duediligence.services.indexing import index_everything, index_party
from duediligence.sources import Match, register_source
from tests.factories import (
    ApplicationFactory,
    BankAccountFactory,
    LicenceFactory,
    PersonFactory,
    SiteFactory,
    TaxRegistrationFactory,
)
from tests.factories.duediligence import (
    BlockedCustomerFactory,
    DeclaredMachineFactory,
    LonePartyFactory,
)

pytestmark = pytest.mark.django_db


def _kinds(party):
    return set(ScreeningKey.objects.filter(party=party).values_list("kind", flat=True))


def test_a_party_is_indexed_by_every_record_that_identifies_it():
    party = LonePartyFactory()
    PersonFactory(party=party)
    TaxRegistrationFactory(party=party)
    BankAccountFactory(party=party)
    SiteFactory(party=party)
    DeclaredMachineFactory(application__party=party)
    index_party(party)
    assert _kinds(party) == {
        KeyKind.NAME,
        KeyKind.REGISTRATION,
        KeyKind.ADDRESS,
        KeyKind.TAX,
        KeyKind.PERSON,
        KeyKind.ID_DOCUMENT,
        KeyKind.IBAN,
        KeyKind.SERIAL,
    }


def test_ended_records_and_former_directors_give_no_key():
    party = LonePartyFactory()
    account = BankAccountFactory(party=party, ended=True)
    PersonFactory(party=party, active_until=dt.date(2020, 1, 1), full_name="Former Director")
    index_party(party)
    values = set(ScreeningKey.objects.filter(party=party).values_list("value", flat=True))
    assert account.iban not in values
    assert not any(value.startswith("former director") for value in values)


def test_reindexing_replaces_the_keys_instead_of_adding_to_them():
    party = LonePartyFactory()
    first = index_party(party)
    assert index_party(party) == first
    assert ScreeningKey.objects.filter(party=party).count() == first


def test_saving_a_record_reindexes_its_party_when_the_change_commits(
    django_capture_on_commit_callbacks,
):
    party = LonePartyFactory()
    with django_capture_on_commit_callbacks(execute=True):
        account = BankAccountFactory(party=party)
    assert ScreeningKey.objects.filter(party=party, kind=KeyKind.IBAN, value=account.iban).exists()


def test_the_management_command_indexes_every_party():
    parties = LonePartyFactory.create_batch(3)
    call_command("index_screening_keys", "--batch-size", "2", stdout=io.StringIO())
    for party in parties:
        assert ScreeningKey.objects.filter(party=party, kind=KeyKind.NAME).exists()


def _revoked_holder_sharing_iban_with(applicant):
    revoked = LicenceFactory(revoked=True, holder=LonePartyFactory()).holder
    shared = BankAccountFactory(party=revoked)
    BankAccountFactory(party=applicant, iban=shared.iban)
    return revoked, shared


def test_an_applicant_sharing_an_iban_with_a_revoked_licensee_is_linked_to_it():
    # Art. 6.3(d): the revoked licensee was indexed first.
    applicant = LonePartyFactory()
    revoked, shared = _revoked_holder_sharing_iban_with(applicant)
    index_everything()
    matches, linked = related_parties(applicant)
    assert [(m.source, m.party_id, m.kind, m.value) for m in matches] == [
        ("revoked_licence", revoked.pk, KeyKind.IBAN, shared.iban)
    ]
    assert matches[0].reference == revoked.licences.get().number
    assert [entry["party_id"] for entry in linked] == [revoked.pk]


def test_the_revoked_licensee_applying_again_is_found_and_sees_the_shared_account():
    # The other way round: the licensee's own later application.
    applicant = LonePartyFactory()
    revoked, shared = _revoked_holder_sharing_iban_with(applicant)
    index_everything()
    matches, linked = related_parties(revoked)
    assert {m.party_id for m in matches} == {revoked.pk}
    assert any(m.kind == KeyKind.IBAN and m.value == shared.iban for m in matches)
    assert [entry["party_id"] for entry in linked] == [applicant.pk]


def test_a_party_linked_to_nobody_adverse_has_no_match():
    applicant = LonePartyFactory()
    other = LicenceFactory(holder=LonePartyFactory()).holder  # active, not revoked
    account = BankAccountFactory(party=other)
    BankAccountFactory(party=applicant, iban=account.iban)
    index_everything()
    matches, linked = related_parties(applicant)
    assert matches == []
    assert [entry["party_id"] for entry in linked] == [other.pk]


def test_a_director_shared_with_a_refused_applicant_links_the_parties():
    refused = ApplicationFactory(refused=True, party=LonePartyFactory()).party
    director = PersonFactory(party=refused, full_name="Ola Nordmann")
    applicant = LonePartyFactory()
    PersonFactory(
        party=applicant,
        full_name="OLA  NORDMANN",
        date_of_birth=director.date_of_birth,
        identity_document_number="X1",
    )
    index_everything()
    matches, _ = related_parties(applicant)
    assert {(m.source, m.kind, m.party_id) for m in matches} == {
        ("refused_application", KeyKind.PERSON, refused.pk)
    }


def test_a_blocked_free_identity_is_found_by_its_tax_number():
    # Art. 7.4
    BlockedCustomerFactory(country="DE", tax_number="DE 136 695 976")
    applicant = LonePartyFactory(country="DE")
    TaxRegistrationFactory(party=applicant, country="DE", number="DE136695976")
    index_everything()
    matches, _ = related_parties(applicant)
    assert [(m.source, m.kind) for m in matches] == [("blocked_customer", KeyKind.TAX)]


def test_a_block_that_has_ended_no_longer_counts():
    blocked = LonePartyFactory()
    BlockedCustomerFactory(party=blocked, name="", until=dt.date(2025, 6, 30))
    applicant = LonePartyFactory()
    account = BankAccountFactory(party=blocked)
    BankAccountFactory(party=applicant, iban=account.iban)
    index_everything()
    assert related_parties(applicant)[0] == []


def test_a_blocked_party_is_found_through_its_own_keys():
    blocked = LonePartyFactory()
    BlockedCustomerFactory(party=blocked, name="")
    applicant = LonePartyFactory()
    account = BankAccountFactory(party=blocked)
    BankAccountFactory(party=applicant, iban=account.iban)
    index_everything()
    assert [(m.source, m.party_id) for m in related_parties(applicant)[0]] == [
        ("blocked_customer", blocked.pk)
    ]


def test_a_serial_declared_by_another_party_matches_but_the_applicants_own_does_not():
    other = DeclaredMachineFactory(serial_number="HP-4711")
    mine = DeclaredMachineFactory(serial_number="HP-4712")
    index_everything()
    found = machine_matches(mine.application.party, ["hp 4711", "HP-4712"])
    assert [(m.value, m.party_id) for m in found] == [("HP4711", other.application.party_id)]


def test_a_draft_does_not_claim_its_machines():
    DeclaredMachineFactory(serial_number="HP-1", application__submitted=False)
    applicant = LonePartyFactory()
    index_everything()
    assert machine_matches(applicant, ["HP-1"]) == []


class _Watchlist:
    """A source another app could register: every IBAN it is told about is adverse."""

    code = "test_watchlist"

    def adverse_matches(self, keys_by_kind):
        return [
            Match(source=self.code, reason="on a watch list", kind=KeyKind.IBAN, value=value)
            for value in sorted(keys_by_kind.get(KeyKind.IBAN, ()))
        ]


def test_a_registered_source_is_asked_by_the_related_party_screening():
    from duediligence import sources

    register_source(_Watchlist())
    try:
        applicant = LonePartyFactory()
        account = BankAccountFactory(party=applicant)
        matches, _ = related_parties(applicant)
        assert [(m.source, m.value) for m in matches] == [("test_watchlist", account.iban)]
    finally:
        sources._sources[:] = [s for s in sources._sources if s.code != "test_watchlist"]


def test_reindexing_an_unchanged_party_writes_nothing():
    party = LonePartyFactory()
    BankAccountFactory(party=party)
    index_party(party)
    before = set(ScreeningKey.objects.filter(party=party).values_list("pk", flat=True))
    index_party(party)
    assert set(ScreeningKey.objects.filter(party=party).values_list("pk", flat=True)) == before


def test_reindexing_replaces_only_what_changed():
    party = LonePartyFactory()
    account = BankAccountFactory(party=party)
    index_party(party)
    name = ScreeningKey.objects.get(
        party=party, kind=KeyKind.NAME, value=name_key(party.legal_name)
    )
    account.ended_at = timezone.now()
    account.save(update_fields=["ended_at"])
    index_party(party)
    assert not ScreeningKey.objects.filter(party=party, kind=KeyKind.IBAN).exists()
    assert ScreeningKey.objects.filter(pk=name.pk).exists()
