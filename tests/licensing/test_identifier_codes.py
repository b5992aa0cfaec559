"""Economic operator and facility identifier codes of the EU tracking-and-tracing system
(Commission Implementing Regulation (EU) 2018/574, Chapter III; Protocol Art. 8): issued with a
party's first licence, deactivated with its last, re-issued on a transfer, corrected on an
approved change; every step written to the registry's message log in its field names."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from stdnum.iso7064 import mod_37_36

from licensing import identifiers
from licensing.exceptions import AuditTrailIsAppendOnly, RecordsAreKept
from licensing.models import (
    FacilityCode,
    Licence,
    MessageType,
    OperatorCode,
    RegistryMessage,
)
from licensing.services import applications as apps
from licensing.services import licences as lic
from licensing.services.identifiers import sync_party_codes
from tests.factories import (
    ApplicationFactory,
    LicenceFactory,
    PartyFactory,
    SiteFactory,
    TaxRegistrationFactory,
)

pytestmark = pytest.mark.django_db


def issue(officer: Any, party: Any = None, *, sites: int = 1, kind: str = "new") -> Licence:
    """A new licence through the approval of a paid application naming ``sites`` new sites."""
    party = party or PartyFactory(approved=True)
    application = ApplicationFactory(in_review=True, paid=True, party=party)
    application.sites.set([SiteFactory(party=party) for _ in range(sites)])
    apps.approve_application(application_id=application.pk, by=officer)
    return Licence.objects.get(application=application)


def messages(message_type: str) -> list[RegistryMessage]:
    return list(RegistryMessage.objects.filter(message_type=message_type).order_by("pk"))


def test_a_code_is_the_issuers_prefix_then_a_sequence_with_a_check_character(settings):
    # Reg. 2018/574 Art. 15(1): (a) the ID issuer's identification code (Art. 3(4)), then
    # (b) an alphanumeric sequence unique in the issuer's pool.
    settings.TT_ID_ISSUER_CODE = "XY9"
    first, second = identifiers.new_codes("E", 2)
    assert first.startswith("XY9E") and first.isalnum() and first != second
    assert mod_37_36.is_valid(first)
    assert identifiers.is_valid_code(first.lower())
    assert identifiers.code_kind(first) == "E"
    typo = first[:-1] + ("0" if first[-1] != "0" else "1")
    assert not identifiers.is_valid_code(typo)
    settings.TT_ID_ISSUER_CODE = "OTHER"
    assert not identifiers.is_valid_code(first)  # another issuer's pool


def test_the_first_licence_issues_an_operator_code_and_a_facility_code_per_site(officer):
    # Art. 14, 15: the economic operator code; Art. 16, 17: one per facility.
    party = PartyFactory(approved=True)
    TaxRegistrationFactory(party=party, country="NO", number="NO123456789MVA")
    licence = issue(officer, party, sites=2)
    operator = OperatorCode.objects.get(party=party)
    assert operator.active and identifiers.operator_code(party) == operator.code
    sites = list(licence.sites.order_by("pk"))
    codes = identifiers.facility_codes(sites)
    assert set(codes) == {site.pk for site in sites}
    assert all(code.operator == operator for code in FacilityCode.objects.all())
    (request,) = messages(MessageType.EO_REGISTRATION)
    assert request.subject_code == operator.code == request.operator_code
    assert request.payload["EO_Name1"] == party.legal_name
    assert request.payload["EO_Address"] == "Karl Johans gate 1, 0154 Oslo"
    assert (request.payload["VAT_R"], request.payload["VAT_N"]) == (1, "NO123456789MVA")
    facility_messages = messages(MessageType.F_REGISTRATION)
    assert {m.subject_code for m in facility_messages} == set(codes.values())
    assert facility_messages[0].payload["F_Type"] == 1  # a manufacturing site
    assert facility_messages[0].payload["EO_ID"] == operator.code


def test_a_second_licence_keeps_the_operator_code_and_codes_only_its_new_sites(officer):
    party = PartyFactory(approved=True)
    issue(officer, party)
    issue(officer, party, sites=1)
    assert OperatorCode.objects.filter(party=party).count() == 1
    assert len(messages(MessageType.EO_REGISTRATION)) == 1
    assert FacilityCode.objects.filter(active=True).count() == 2


@pytest.mark.parametrize("end", ["revoke", "surrender", "expire"])
def test_the_last_live_licence_ending_deactivates_the_operator_and_its_facilities(
    officer, senior, end
):
    # Art. 15(4): the deactivation of the operator code deactivates its facility codes.
    licence = issue(officer, sites=2)
    operator = OperatorCode.objects.get()
    if end == "revoke":
        lic.propose_revocation(
            licence_id=licence.pk, by=officer, ground="other", reason="Art. 6.3(a)."
        )
        lic.confirm_revocation(licence_id=licence.pk, by=senior)
    elif end == "surrender":
        lic.surrender_licence(licence_id=licence.pk, by=officer, reason="Business closed.")
    else:
        Licence.objects.filter(pk=licence.pk).update(expires_on=licence.valid_from)
        assert lic.expire_licence(licence_id=licence.pk, today=licence.valid_from)
    operator.refresh_from_db()
    assert not operator.active and operator.deactivated_at is not None
    assert licence.number in operator.deactivation_reason
    assert not FacilityCode.objects.filter(active=True).exists()
    assert identifiers.operator_code(licence.holder) is None
    (deregistration,) = messages(MessageType.EO_DEREGISTRATION)
    assert deregistration.payload == {"Message_Type": "1-3", "EO_ID": operator.code, "Reg_3": 0}
    assert len(messages(MessageType.F_DEREGISTRATION)) == 2


def test_codes_stay_while_another_licence_lives_and_a_suspension_keeps_them(officer, senior):
    party = PartyFactory(approved=True)
    first = issue(officer, party)
    second = issue(officer, party)
    lic.suspend_licence(
        licence_id=second.pk, by=officer, ground="other", reason="Art. 6.3(a): stock records."
    )
    lic.surrender_licence(licence_id=first.pk, by=officer)
    operator = OperatorCode.objects.get(party=party)
    assert operator.active  # the suspended licence is still the holder's
    # The surrendered licence's site alone loses its code (1-6).
    (gone,) = messages(MessageType.F_DEREGISTRATION)
    assert gone.subject_code not in identifiers.facility_codes(second.sites.all()).values()


def test_a_transfer_gives_the_transferee_its_own_codes_and_ends_the_transferors(officer, senior):
    # Protocol Art. 6.4; Reg. 2018/574 Art. 16, 17: a facility code belongs to the operator
    # that requested it, so the site passing to the transferee is coded again under its code.
    old = issue(officer, sites=1)
    (site,) = old.sites.all()
    old_operator = OperatorCode.objects.get(party=old.holder)
    old_facility = FacilityCode.objects.get(site=site)
    transferee = PartyFactory(approved=True)
    transfer = ApplicationFactory(
        in_review=True, paid=True, kind="transfer", licence=old, party=transferee
    )
    transfer.sites.set([site])
    apps.propose_decision(
        application_id=transfer.pk, by=officer, action="approve_transfer", reason="Art. 6.4."
    )
    apps.approve_application(application_id=transfer.pk, by=senior)
    old_operator.refresh_from_db()
    old_facility.refresh_from_db()
    assert not old_operator.active and not old_facility.active
    new_operator = OperatorCode.objects.get(party=transferee, active=True)
    new_facility = FacilityCode.objects.get(site=site, active=True)
    assert new_facility.operator == new_operator and new_facility.code != old_facility.code
    assert [m.subject_code for m in messages(MessageType.F_DEREGISTRATION)] == [old_facility.code]
    assert messages(MessageType.EO_REGISTRATION)[-1].subject_code == new_operator.code


def test_an_approved_change_of_particulars_writes_a_correction_once(officer):
    # Art. 14(5): changes of the information first given are notified (message 1-2).
    from licensing.services.identifiers import write_corrections

    licence = issue(officer)
    party = licence.holder
    assert write_corrections(party=party) == 0  # nothing changed since the request
    party.legal_name = "Renamed Tobakk AS"
    party.save(update_fields=["legal_name"])
    site = licence.sites.get()
    site.street_address = "Ny vei 2"
    site.save(update_fields=["street_address"])
    assert write_corrections(party=party) == 2
    (correction,) = messages(MessageType.EO_CORRECTION)
    assert correction.payload["EO_Name1"] == "Renamed Tobakk AS"
    (facility,) = messages(MessageType.F_CORRECTION)
    assert facility.payload["F_Address"].startswith("Ny vei 2")
    assert write_corrections(party=party) == 0


def test_the_sync_is_idempotent_and_codes_a_factory_made_licence(officer):
    licence = LicenceFactory(sites=[SiteFactory()])
    with transaction.atomic():
        sync_party_codes(party_id=licence.holder_id, reason="backfill")
        sync_party_codes(party_id=licence.holder_id, reason="backfill")
    assert OperatorCode.objects.count() == 1 and FacilityCode.objects.count() == 1
    assert RegistryMessage.objects.count() == 2


def test_codes_and_messages_are_kept(officer):
    issue(officer)
    code = OperatorCode.objects.get()
    with pytest.raises(RecordsAreKept):
        code.delete()
    message = RegistryMessage.objects.first()
    assert message is not None
    with pytest.raises(AuditTrailIsAppendOnly):
        message.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        RegistryMessage.objects.update(payload={})
    # One active operator code per party, enforced by the database.
    with pytest.raises(IntegrityError), transaction.atomic():
        OperatorCode.objects.create(party=code.party, code="DUPLICATE")
