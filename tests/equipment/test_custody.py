"""Changes of custody (Art. 6.3(h), 14.1(g)) and moves (Art. 6.3(g))."""

from __future__ import annotations

import pytest

from equipment.models import CustodyNotice, Machine, MachineState, NoticeStatus
from equipment.services import custody
from equipment.services.errors import (
    BuyerNotLicensed,
    MachineNotWithSeller,
    NotInAdvance,
    NotOwnSite,
    SellerNotLicensed,
    SellerRequired,
)
from licensing.exceptions import PermissionDenied, ReasonRequired, TransitionNotAllowed
from tests.factories import (
    LicenceFactory,
    MachineFactory,
    ManufacturingLicenceFactory,
    PartyFactory,
    SiteFactory,
)
from tests.factories.equipment import days


def acquire(licence, user, machine=None, **kwargs):
    values = {
        "make": machine.make if machine else "GD",
        "model": machine.model if machine else "X6",
        "serial_number": machine.serial_number if machine else "GD-X6-1",
        "planned_on": days(10),
        "site": SiteFactory(party=licence.holder),
        "kind": "packer",
        "hs_code": "8422",
    }
    values.update(kwargs)
    return custody.notify_acquisition(licence_id=licence.pk, by=user, **values)


@pytest.mark.django_db
def test_an_acquisition_from_an_unlicensed_seller_is_refused_with_a_clear_message(applicant_for):
    buyer = ManufacturingLicenceFactory()
    user = applicant_for(buyer.holder)
    machine = MachineFactory(licence=LicenceFactory(revoked=True))
    with pytest.raises(SellerNotLicensed) as info:
        acquire(buyer, user, machine, seller_licence_number=machine.licence.number)
    assert "does not hold a valid licence" in str(info.value)
    with pytest.raises(SellerNotLicensed):
        acquire(buyer, user, machine, seller_licence_number="TL-2026-999999-X")
    with pytest.raises(SellerRequired):
        acquire(buyer, user, machine)
    assert not CustodyNotice.objects.exists()


@pytest.mark.django_db
def test_the_seller_must_hold_the_machine(applicant_for):
    buyer = ManufacturingLicenceFactory()
    other = MachineFactory()
    seller = ManufacturingLicenceFactory()
    with pytest.raises(MachineNotWithSeller):
        acquire(buyer, applicant_for(buyer.holder), other, seller_licence_number=seller.number)


@pytest.mark.django_db
def test_only_the_holders_users_notify(applicant_for):
    buyer = ManufacturingLicenceFactory()
    stranger = applicant_for(ManufacturingLicenceFactory().holder)
    with pytest.raises(PermissionDenied):
        acquire(buyer, stranger, foreign_supplier="GD S.p.A.", foreign_country="IT")
    machine = MachineFactory()
    with pytest.raises(PermissionDenied):
        custody.notify_disposal(
            machine_id=machine.pk, by=stranger, buyer_licence_number=buyer.number,
            planned_on=days(5),
        )  # fmt: skip


@pytest.mark.django_db
def test_an_acquisition_from_abroad_registers_the_machine_once_confirmed(
    applicant_for, officer, inspector, refused
):
    buyer = ManufacturingLicenceFactory()
    notice = acquire(
        buyer, applicant_for(buyer.holder), foreign_supplier="GD S.p.A.", foreign_country="IT"
    )
    assert notice.machine.state == MachineState.DECLARED
    with refused(PermissionDenied, notice):
        custody.confirm_notice(notice_id=notice.pk, by=inspector)
    custody.confirm_notice(notice_id=notice.pk, by=officer)
    assert Machine.objects.get(pk=notice.machine_id).state == MachineState.REGISTERED
    with refused(TransitionNotAllowed, notice):
        custody.confirm_notice(notice_id=notice.pk, by=officer)


@pytest.mark.django_db
def test_a_sale_between_licensees_completes_only_after_both_sides_are_confirmed(
    applicant_for, officer
):
    machine = MachineFactory()
    seller, buyer = machine.licence, ManufacturingLicenceFactory()
    disposal = custody.notify_disposal(
        machine_id=machine.pk,
        by=applicant_for(seller.holder),
        buyer_licence_number=buyer.number,
        planned_on=days(10),
    )
    assert Machine.objects.get(pk=machine.pk).state == MachineState.DISPOSAL_NOTIFIED
    custody.confirm_notice(notice_id=disposal.pk, by=officer)
    machine.refresh_from_db()
    assert (machine.licence, machine.state) == (seller, MachineState.DISPOSAL_NOTIFIED)

    site = SiteFactory(party=buyer.holder)
    acquisition = acquire(
        buyer, applicant_for(buyer.holder), machine, seller_licence_number=seller.number, site=site
    )
    assert CustodyNotice.objects.get(pk=disposal.pk).counterpart == acquisition
    machine.refresh_from_db()
    assert machine.licence == seller  # the buyer's side is not confirmed yet

    custody.confirm_notice(notice_id=acquisition.pk, by=officer)
    machine.refresh_from_db()
    assert (machine.licence, machine.holder, machine.site, machine.state) == (
        buyer,
        buyer.holder,
        site,
        MachineState.TRANSFERRED,
    )


@pytest.mark.django_db
def test_a_disposal_goes_only_to_a_manufacturing_licensee(applicant_for):
    machine = MachineFactory()
    wholesaler = LicenceFactory()  # import and wholesale: no licence for the machine
    with pytest.raises(BuyerNotLicensed):
        custody.notify_disposal(
            machine_id=machine.pk,
            by=applicant_for(machine.holder),
            buyer_licence_number=wholesaler.number,
            planned_on=days(3),
        )
    assert Machine.objects.get(pk=machine.pk).state == MachineState.REGISTERED


@pytest.mark.django_db
def test_a_rejected_disposal_leaves_the_machine_with_its_holder(applicant_for, officer, refused):
    machine = MachineFactory()
    notice = custody.notify_disposal(
        machine_id=machine.pk,
        by=applicant_for(machine.holder),
        buyer_licence_number=ManufacturingLicenceFactory().number,
        planned_on=days(3),
    )
    with refused(ReasonRequired, notice):
        custody.reject_notice(notice_id=notice.pk, by=officer, reason="")
    custody.reject_notice(notice_id=notice.pk, by=officer, reason="The buyer is under review.")
    assert CustodyNotice.objects.get(pk=notice.pk).state == NoticeStatus.REJECTED
    assert Machine.objects.get(pk=machine.pk).state == MachineState.REGISTERED


@pytest.mark.django_db
def test_a_move_is_notified_in_advance_and_takes_effect_when_confirmed(applicant_for, officer):
    # Art. 6.3(g)
    machine = MachineFactory()
    user = applicant_for(machine.holder)
    to_site = SiteFactory(party=machine.holder)
    with pytest.raises(NotInAdvance):
        custody.notify_move(machine_id=machine.pk, by=user, to_site=to_site, planned_on=days(0))
    notice = custody.notify_move(
        machine_id=machine.pk, by=user, to_site=to_site, planned_on=days(1)
    )
    assert Machine.objects.get(pk=machine.pk).site != to_site
    custody.confirm_notice(notice_id=notice.pk, by=officer)
    assert Machine.objects.get(pk=machine.pk).site == to_site


@pytest.mark.django_db
def test_only_officers_who_decide_custody_reject(applicant_for, inspector, registrar, refused):
    machine = MachineFactory()
    holder = applicant_for(machine.holder)
    notice = custody.notify_disposal(
        machine_id=machine.pk,
        by=holder,
        buyer_licence_number=ManufacturingLicenceFactory().number,
        planned_on=days(3),
    )
    for user in (inspector, registrar, holder):
        with refused(PermissionDenied, notice):
            custody.reject_notice(notice_id=notice.pk, by=user, reason="no")
    assert Machine.objects.get(pk=machine.pk).state == MachineState.DISPOSAL_NOTIFIED


@pytest.mark.django_db
def test_a_move_is_notified_only_by_the_holders_users_to_its_own_sites(applicant_for):
    machine = MachineFactory()
    other = applicant_for(PartyFactory())
    with pytest.raises(PermissionDenied):
        custody.notify_move(
            machine_id=machine.pk, by=other, to_site=SiteFactory(party=machine.holder),
            planned_on=days(2),
        )  # fmt: skip
    with pytest.raises(NotOwnSite):
        custody.notify_move(
            machine_id=machine.pk, by=applicant_for(machine.holder), to_site=SiteFactory(),
            planned_on=days(2),
        )  # fmt: skip
    assert not CustodyNotice.objects.exists()
