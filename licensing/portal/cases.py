"""An application after filing, as its applicant sees it: status and timeline, documents,
the authority's information requests, withdrawal, and the fee (Art. 6.3(c)).

Every view needs a signed-in user and finds the application by its public id among those of
the parties the user acts for; anything else is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from licensing.changes import first_filing, proposed_changes
from licensing.exceptions import DomainError
from licensing.models import Application, ApplicationState, Document, Invoice
from licensing.models.activities import activity_labels
from licensing.models.applications import OPEN_STATES
from licensing.portal.case_access import portal_applications, portal_documents
from licensing.portal.case_forms import InformationReplyForm, WithdrawForm
from licensing.portal.timeline import timeline
from licensing.services import applications as application_services
from licensing.services import cases as case_services
from licensing.services import payments
from licensing.services.letters import current_letters
from licensing.storage import open_stored

NEXT_STEPS: dict[str, Any] = {
    ApplicationState.DRAFT: _("Complete and submit your application. Nothing is sent yet."),
    ApplicationState.SUBMITTED: _(
        "The authority has received your application. An officer will start the review; "
        "pay the fee meanwhile, as no licence is issued while it is unpaid."
    ),
    ApplicationState.IN_REVIEW: _(
        "An officer is reviewing your application. We write to you when we need information "
        "or when the decision is taken."
    ),
    ApplicationState.INFORMATION_REQUESTED: _(
        "The authority needs more information. Answer the request below by its due date; "
        "the review continues once you have answered."
    ),
    ApplicationState.APPROVED: _("The application is approved. See your licences."),
    ApplicationState.REFUSED: _(
        "The application is refused. The letter we sent you says why and how to appeal."
    ),
    ApplicationState.WITHDRAWN: _("You withdrew the application. Nothing more will happen."),
}

WITHDRAWABLE = (ApplicationState.SUBMITTED, ApplicationState.INFORMATION_REQUESTED)


def application_for(request: HttpRequest, public_id: Any) -> Application:
    return get_object_or_404(
        portal_applications(request.user).select_related("party", "licence"),
        public_id=public_id,
    )


def detail_url(application: Application) -> str:
    return reverse("portal:application_detail", kwargs={"public_id": application.public_id})


def resume_url(application: Application) -> str:
    """The filing wizard's page for a draft (its own issue); the status page until it exists."""
    try:
        return reverse("portal:draft_resume", kwargs={"public_id": application.public_id})
    except NoReverseMatch:
        return detail_url(application)


def invoice_of(application: Application) -> Invoice | None:
    return Invoice.objects.filter(application=application).prefetch_related("lines").first()


def open_request(application: Application) -> Any:
    if application.state != ApplicationState.INFORMATION_REQUESTED:
        return None
    return application.information_requests.filter(answered_at__isnull=True).first()


def answered_requests(application: Application) -> Any:
    """The answered requests, oldest first, each with the documents sent with its answer."""
    documents = Prefetch("documents", queryset=Document.objects.order_by("created_at", "pk"))
    return (
        application.information_requests.filter(answered_at__isnull=False)
        .order_by("created_at")
        .prefetch_related(documents)
    )


@login_required
def application_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    application = application_for(request, public_id)
    invoice = invoice_of(application)
    snapshot = getattr(application, "snapshot", None)
    return render(
        request,
        "portal/cases/application_detail.html",
        {
            "application": application,
            "activities": activity_labels(list(application.activities or [])),
            "next_step": NEXT_STEPS.get(application.state, ""),
            "timeline": timeline(application, request.user),
            "snapshot": snapshot.data if snapshot is not None else None,
            # Art. 6.3(g): what the application proposes, pending until the authority decides.
            "changes": [] if first_filing(application) else proposed_changes(application, None),
            "documents": application.documents.order_by("created_at"),
            "letters": current_letters(application),
            "invoice": invoice,
            "open_request": open_request(application),
            "answered_requests": answered_requests(application),
            "can_withdraw": application.state in WITHDRAWABLE,
            "can_pay": invoice is not None
            and application.state in OPEN_STATES
            and not invoice.is_paid,
            "resume_url": resume_url(application)
            if application.state == ApplicationState.DRAFT
            else "",
        },
    )


@login_required
def document_download(request: HttpRequest, public_id: Any) -> FileResponse:
    """Only to users acting for the document's party; never displayed inline. Not recorded as
    a read of personal data (Art. 5): the party's own users read what they filed; the staff's
    downloads are (licensing/services/personal_data.py)."""
    document = get_object_or_404(portal_documents(request.user), public_id=public_id)
    response = FileResponse(
        open_stored(document.file),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def application_reply(request: HttpRequest, public_id: Any) -> HttpResponse:
    application = application_for(request, public_id)
    information_request = open_request(application)
    if information_request is None:
        messages.info(request, _("No information is requested for this application."))
        return redirect(detail_url(application))
    form = InformationReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            case_services.reply_to_information_request(
                application_id=application.pk,
                by=request.user,
                answer=form.cleaned_data["answer"],
                uploads=form.cleaned_data["documents"],
            )
        except DomainError as error:
            form.add_error("documents" if form.cleaned_data["documents"] else None, str(error))
        else:
            messages.success(request, _("Thank you. Your answer is sent; the review continues."))
            return redirect(detail_url(application))
    return render(
        request,
        "portal/cases/application_reply.html",
        {"application": application, "information_request": information_request, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_withdraw(request: HttpRequest, public_id: Any) -> HttpResponse:
    application = application_for(request, public_id)
    if application.state not in WITHDRAWABLE:
        messages.error(request, _("This application can no longer be withdrawn."))
        return redirect(detail_url(application))
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application_services.withdraw_application(
                application_id=application.pk, by=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The application is withdrawn."))
            return redirect(detail_url(application))
    return render(
        request,
        "portal/cases/application_withdraw.html",
        {"application": application, "form": form},
    )


@login_required
def application_fee(request: HttpRequest, public_id: Any) -> HttpResponse:
    """Art. 6.3(c): the invoice, its lines, what is paid and when the rest is due."""
    application = application_for(request, public_id)
    invoice = invoice_of(application)
    return render(
        request,
        "portal/cases/application_fee.html",
        {
            "application": application,
            "invoice": invoice,
            "payments": invoice.payments.order_by("paid_on", "pk") if invoice else [],
            "outstanding": payments.outstanding(invoice) if invoice else None,
            "blockers": payments.applicant_payment_blockers(invoice, request.user)
            if invoice
            else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_pay(request: HttpRequest, public_id: Any) -> HttpResponse:
    application = application_for(request, public_id)
    invoice = invoice_of(application)
    fee_url = reverse("portal:application_fee", kwargs={"public_id": application.public_id})
    if invoice is None:
        messages.error(request, _("No invoice has been issued for this application."))
        return redirect(fee_url)
    provider = payments.get_provider()
    if request.method == "POST":
        try:
            payments.pay_invoice(
                invoice_id=invoice.pk, by=request.user, provider=provider, data=request.POST.dict()
            )
        except DomainError as error:
            messages.error(request, str(str(error)))
        else:
            messages.success(request, _("Thank you. Your payment is recorded."))
        return redirect(fee_url)
    blockers = payments.applicant_payment_blockers(invoice, request.user)
    if blockers:
        messages.error(request, str(blockers[0].message))
        return redirect(fee_url)
    amount = payments.outstanding(invoice)
    start = provider.start(invoice, amount=amount)
    if start.redirect_url:
        return HttpResponseRedirect(start.redirect_url)
    return render(
        request,
        "portal/cases/application_pay.html",
        {
            "application": application,
            "invoice": invoice,
            "amount": amount,
            "provider": provider,
            "fields": start.fields,
        },
    )
