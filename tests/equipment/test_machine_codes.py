"""Machine identifier codes (Commission Implementing Regulation (EU) 2018/574 Art. 18, 19; the
Protocol's Art. 8): issued on registration under the holder's operator code and the site's
facility code, re-linked on a confirmed change of custody (a correction, 1-8), deactivated with
the operator's or the facility's code (Art. 15(4), 17(4)) and when the machine is destroyed."""

from __future__ import annotations

import io

import pytest

from equipment import identifiers
from equipment.models import MachineCode
from equipment.services import custody, machines
from licensing.identifiers import facility_codes, operator_code
from licensing.models import MessageType, RegistryMessage
from licensing.services import licences as lic
from tests.equipment.test_custody import acquire
from tests.factories import MachineFactory, ManufacturingLicenceFactory, SiteFactory
from tests.factories.equipment import days

pytestmark = pytest.mark.django_db


def registered(officer, **kwargs):
    licence = kwargs.pop("licence", None) or ManufacturingLicenceFactory()
    site = SiteFactory(party=licence.holder)
    licence.sites.add(site)
    machine = MachineFactory(declared=True, licence=licence, site=site, **kwargs)
    return machines.register_machine(machine_id=machine.pk, by=officer)


def last(message_type: str) -> RegistryMessage:
    found = RegistryMessage.objects.filter(message_type=message_type).order_by("-pk").first()
    assert found is not None
    return found


def test_a_registered_machine_gets_its_code_linked_to_its_operator_and_facility(officer):
    # Art. 19(1)-(3): the ID issuer's prefix and a unique sequence; Annex II 1.7.
    machine = registered(officer)
    code = MachineCode.objects.get(machine=machine)
    assert code.active and identifiers.machine_code(machine) == code.code
    assert identifiers.machine_by_code(code.code.lower()) == machine
    assert identifiers.machine_codes([machine]) == {machine.pk: code.code}
    # A holder whose licence predates the codes is coded first (Art. 15, 17).
    assert code.operator.code == operator_code(machine.holder)
    assert code.facility.code == facility_codes([machine.site])[machine.site_id]
    request = last(MessageType.M_REGISTRATION)
    assert request.payload == {
        "Message_Type": "1-7",
        "EO_ID": code.operator.code,
        "F_ID": code.facility.code,
        "M_ID": code.code,
        "M_Producer": "Hauni",
        "M_Model": "Protos M8",
        "M_Number": machine.serial_number,
        "M_Capacity": 480_000 * 24,
        "Reg_3": 0,
    }


def test_a_declared_machine_has_no_code_and_a_code_is_issued_once(officer):
    machine = MachineFactory(declared=True)
    assert identifiers.machine_code(machine) is None
    machine = machines.register_machine(machine_id=machine.pk, by=officer)
    from equipment.services.codes import issue_machine_code

    assert issue_machine_code(machine).code == identifiers.machine_code(machine)
    assert MachineCode.objects.filter(machine=machine).count() == 1


def test_a_revoked_licence_deactivates_the_machine_codes_in_cascade(officer, senior):
    # Art. 15(4): the operator code's deactivation deactivates its facility and machine codes.
    machine = registered(officer)
    lic.propose_revocation(
        licence_id=machine.licence_id, by=officer, ground="other", reason="Art. 6.3(a)."
    )
    lic.confirm_revocation(licence_id=machine.licence_id, by=senior)
    code = MachineCode.objects.get(machine=machine)
    assert not code.active and machine.licence.number in code.deactivation_reason
    deregistration = last(MessageType.M_DEREGISTRATION)
    assert deregistration.subject_code == code.code
    assert set(deregistration.payload) == {"Message_Type", "EO_ID", "F_ID", "M_ID", "Reg_3"}
    assert RegistryMessage.objects.filter(message_type=MessageType.EO_DEREGISTRATION).exists()
    assert RegistryMessage.objects.filter(message_type=MessageType.F_DEREGISTRATION).exists()


def test_a_confirmed_sale_relinks_the_code_to_the_buyer(applicant_for, officer):
    # Art. 18(4): a change of the registered information is a correction (1-8), same M_ID.
    machine = registered(officer)
    code = MachineCode.objects.get(machine=machine)
    seller, buyer = machine.licence, ManufacturingLicenceFactory()
    site = SiteFactory(party=buyer.holder)
    buyer.sites.add(site)
    disposal = custody.notify_disposal(
        machine_id=machine.pk,
        by=applicant_for(seller.holder),
        buyer_licence_number=buyer.number,
        planned_on=days(10),
    )
    custody.confirm_notice(notice_id=disposal.pk, by=officer)
    acquisition = acquire(
        buyer, applicant_for(buyer.holder), machine, seller_licence_number=seller.number, site=site
    )
    custody.confirm_notice(notice_id=acquisition.pk, by=officer)
    code.refresh_from_db()
    assert code.active and code.operator.code == operator_code(buyer.holder)
    assert code.facility.code == facility_codes([site])[site.pk]
    correction = last(MessageType.M_CORRECTION)
    assert correction.payload["M_ID"] == code.code
    assert correction.payload["EO_ID"] == operator_code(buyer.holder)


def test_a_machine_leaving_a_site_the_licence_no_longer_covers_is_coded_afresh(
    applicant_for, officer
):
    machine = registered(officer)
    other_site = SiteFactory(party=machine.holder)
    machine.licence.sites.add(other_site)
    notice = custody.notify_move(
        machine_id=machine.pk,
        by=applicant_for(machine.holder),
        to_site=other_site,
        planned_on=days(5),
    )
    custody.confirm_notice(notice_id=notice.pk, by=officer)
    code = MachineCode.objects.get(machine=machine, active=True)
    # The new site had no facility code yet (added outside a decision): the code names none.
    assert code.facility is None or code.facility.site == other_site
    assert last(MessageType.M_CORRECTION).payload["M_ID"] == code.code


def test_the_backfill_commands_code_what_predates_the_codes() -> None:
    # Licences and machines written before the codes existed (here by factories).
    from django.core.management import call_command

    machine = MachineFactory()
    machine.licence.sites.add(machine.site)
    call_command("issue_identifier_codes", stdout=io.StringIO())
    call_command("issue_machine_codes", stdout=io.StringIO())
    code = MachineCode.objects.get(machine=machine)
    assert code.operator.code == operator_code(machine.holder)
    assert code.facility.code == facility_codes([machine.site])[machine.site_id]
    out = io.StringIO()
    call_command("issue_identifier_codes", stdout=out)
    assert out.getvalue().startswith("0 ")
