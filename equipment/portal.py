"""The holder's equipment pages in the portal, reached from its licence page: the machines it
holds, the custody notices (Art. 6.3(h), 14.1(g)), moves (Art. 6.3(g)), requests for supervised
destruction (Art. 6.3(i)) and the certificates. A user reaches only the licences of the
parties it acts for (``portal_licences``); every other record is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from equipment import forms as equipment_forms
from equipment.models import HELD, CustodyNotice, DestructionOrder, Machine, MachineState
from equipment.services import custody, destruction
from licensing.exceptions import DomainError
from licensing.models import IssuedDocument, IssuedDocumentKind, Licence
from licensing.portal.case_access import portal_licences


def licence_for(request: HttpRequest, public_id: Any) -> Licence:
    return get_object_or_404(
        portal_licences(request.user).select_related("holder"), public_id=public_id
    )


def machine_for(request: HttpRequest, public_id: Any) -> Machine:
    machines = Machine.objects.filter(licence__in=portal_licences(request.user))
    return get_object_or_404(
        machines.select_related("licence", "site", "holder"), public_id=public_id
    )


def machines_url(licence: Licence) -> str:
    return reverse("equipment:machines", kwargs={"public_id": licence.public_id})


def own_sites(licence: Licence) -> QuerySet[Any]:
    return licence.holder.sites.order_by("name")


@login_required
def machine_list(request: HttpRequest, public_id: Any) -> HttpResponse:
    licence = licence_for(request, public_id)
    machines = licence.machines.select_related("site").order_by("make", "serial_number")
    return render(
        request,
        "equipment/portal/machines.html",
        {
            "licence": licence,
            "machines": machines,
            "held": [str(s) for s in HELD],
            "can_move": [str(MachineState.REGISTERED), str(MachineState.TRANSFERRED)],
            "notices": CustodyNotice.objects.filter(licence=licence)
            .select_related("machine", "counterparty_licence", "to_site")
            .order_by("-created_at"),
            "orders": DestructionOrder.objects.filter(licence=licence).order_by("-planned_on"),
            "certificates": IssuedDocument.objects.filter(
                licence=licence, kind=IssuedDocumentKind.DESTRUCTION_CERTIFICATE
            ).order_by("-issued_at"),
        },
    )


def _form_page(
    request: HttpRequest, template: str, form: Any, run: Any, done: Any, back: str, **context: Any
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            run(form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, str(done))
            return redirect(back)
    return render(request, template, {"form": form, "back": back, **context})


@login_required
@require_http_methods(["GET", "POST"])
def acquire(request: HttpRequest, public_id: Any) -> HttpResponse:
    licence = licence_for(request, public_id)
    form = equipment_forms.AcquisitionForm(
        request.POST if request.method == "POST" else None, sites=own_sites(licence)
    )
    return _form_page(
        request,
        "equipment/portal/acquire.html",
        form,
        lambda data: custody.notify_acquisition(
            licence_id=licence.pk,
            by=request.user,
            make=data["make"],
            model=data["model"],
            serial_number=data["serial_number"],
            kind=data["kind"],
            hs_code=data["hs_code"],
            year=data["year"],
            site=data["site"],
            planned_on=data["planned_on"],
            seller_licence_number=data["seller_licence_number"],
            foreign_supplier=data["foreign_supplier"],
            foreign_country=data["foreign_country"],
        ),
        _("The acquisition is notified. The authority will confirm it."),
        machines_url(licence),
        licence=licence,
    )


@login_required
@require_http_methods(["GET", "POST"])
def dispose(request: HttpRequest, public_id: Any) -> HttpResponse:
    machine = machine_for(request, public_id)
    form = equipment_forms.DisposalForm(request.POST if request.method == "POST" else None)
    return _form_page(
        request,
        "equipment/portal/machine_form.html",
        form,
        lambda data: custody.notify_disposal(
            machine_id=machine.pk,
            by=request.user,
            buyer_licence_number=data["buyer_licence_number"],
            planned_on=data["planned_on"],
        ),
        _(
            "The disposal is notified. The machine passes to the buyer once the authority "
            "has confirmed both sides."
        ),
        machines_url(machine.licence),  # type: ignore[arg-type]
        machine=machine,
        heading=_("Notify a disposal"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, public_id: Any) -> HttpResponse:
    machine = machine_for(request, public_id)
    form = equipment_forms.MoveForm(
        request.POST if request.method == "POST" else None,
        sites=machine.holder.sites.exclude(pk=machine.site_id or 0).order_by("name"),
    )
    return _form_page(
        request,
        "equipment/portal/machine_form.html",
        form,
        lambda data: custody.notify_move(
            machine_id=machine.pk,
            by=request.user,
            to_site=data["to_site"],
            planned_on=data["planned_on"],
        ),
        _("The move is notified."),
        machines_url(machine.licence),  # type: ignore[arg-type]
        machine=machine,
        heading=_("Notify a move to another site"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_destruction(request: HttpRequest, public_id: Any) -> HttpResponse:
    machine = machine_for(request, public_id)
    form = equipment_forms.DestructionRequestForm(
        request.POST if request.method == "POST" else None
    )
    return _form_page(
        request,
        "equipment/portal/machine_form.html",
        form,
        lambda data: destruction.request_destruction(
            machine_ids=[machine.pk],
            by=request.user,
            method=data["method"],
            planned_on=data["planned_on"],
        ),
        _(
            "Destruction is requested. The authority will tell you which inspector will "
            "supervise it."
        ),
        machines_url(machine.licence),  # type: ignore[arg-type]
        machine=machine,
        heading=_("Request a supervised destruction"),
    )
