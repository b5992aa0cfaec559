"""The inspector's phone-sized page (Art. 6.3(i)): the destruction orders assigned to me, and the
record of a witnessed destruction. No admin chrome: a small page in the portal's style, for
staff in the inspector role. Object level: an inspector opens only the orders that name them;
any other is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from equipment.forms import DestructionRecordForm
from equipment.models import DestructionOrder, OrderState
from equipment.services import destruction, destruction_jobs
from licensing.exceptions import DomainError

WITNESS = "equipment.witness_destruction"


def _inspector(request: HttpRequest) -> Any:
    user = request.user
    if not (user.is_staff and user.has_perm(WITNESS)):
        raise PermissionDenied
    return user


@login_required(login_url="admin:login")
def order_list(request: HttpRequest) -> HttpResponse:
    user = _inspector(request)
    orders = destruction_jobs.orders_for_inspector(user)
    return render(
        request,
        "equipment/inspect/orders.html",
        {
            "open": orders.filter(state=OrderState.SCHEDULED).order_by("planned_on", "pk"),
            "done": orders.exclude(state=OrderState.SCHEDULED).order_by("-planned_on", "-pk")[:20],
        },
    )


@login_required(login_url="admin:login")
@require_http_methods(["GET", "POST"])
def order_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    user = _inspector(request)
    order: DestructionOrder = get_object_or_404(
        destruction_jobs.orders_for_inspector(user), public_id=public_id
    )
    form = None
    if order.state == OrderState.SCHEDULED:
        form = DestructionRecordForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
            initial={"method": order.method},
        )
        if request.method == "POST" and form.is_valid():
            try:
                destruction.record_destruction(
                    order_id=order.pk,
                    by=user,
                    witnessed_at=form.cleaned_data["witnessed_at"],
                    method=form.cleaned_data["method"],
                    serials_seen=form.serials(),
                    witnesses=form.cleaned_data["witnesses"],
                    photos=form.cleaned_data["photos"],
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    str(_("The destruction is recorded. A senior officer countersigns it.")),
                )
                return redirect("equipment:inspect_order", public_id=order.public_id)
    elif request.method == "POST":
        messages.error(request, str(_("This order can no longer be recorded.")))
    return render(
        request,
        "equipment/inspect/order.html",
        {
            "order": order,
            "machines": order.machines.order_by("identifier"),
            "parts": order.parts.order_by("identifier"),
            "lines": order.lines.order_by("pk"),
            "form": form,
        },
    )
