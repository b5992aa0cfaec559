"""Filing a licence application (Art. 6.3(b)) as question pages: one item per page, Continue
and Back, each step saved through a service the moment it is valid, resumable from the list of
drafts. How a draft comes into being is told in ``licensing.services.drafts``. Views only read
(``licensing.portal.filing``) and call services."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from licensing.exceptions import DomainError
from licensing.models import Party, PartyKind
from licensing.models.activities import activity_labels
from licensing.portal import apply_forms as f
from licensing.portal.apply_steps import BY_SLUG, STEPS, Part, Step
from licensing.portal.apply_steps.base import empty_rows
from licensing.portal.apply_summary import summary
from licensing.portal.filing import Filing, drafts_of, filing_for, submitted_application
from licensing.selectors import acting_parties
from licensing.services import drafts
from licensing.services.documents import RejectedUpload
from licensing.services.draft_checks import party_problems
from licensing.services.proposals import direct

portal_login = login_required(login_url="portal:login")


def _posted(request: HttpRequest) -> Any:
    """The posted data, even when empty (an empty POST is a form sent with nothing chosen)."""
    return request.POST if request.method == "POST" else None


def step_url(filing: Filing, slug: str) -> str:
    if slug == "check":
        return reverse("portal:apply_check", kwargs={"public_id": filing.public_id})
    return reverse("portal:apply_step", kwargs={"public_id": filing.public_id, "step": slug})


def _needs_draft(filing: Filing, step: Step) -> bool:
    """Whether the step waits for the draft application. Every step but the activities does for
    a licensed party: what it enters is a proposal of the draft (Art. 6.3(g))."""
    if filing.application is not None:
        return False
    return step.needs_application or (not direct(filing.party) and step.slug != "activities")


def _applicable(filing: Filing, step: Step) -> bool:
    return step.applies(filing) and not _needs_draft(filing, step)


def first_incomplete(filing: Filing) -> str:
    """The step to resume at: the first with a missing item, else check your answers."""
    if filing.application is None and not direct(filing.party):
        return "activities"
    if filing.application is None:
        problems = party_problems(filing.party)
        return problems[0].step if problems else "activities"
    problems = drafts.draft_problems(filing.application)
    return problems[0].step if problems else "check"


def next_url(request: HttpRequest, filing: Filing, step: Step) -> str:
    if request.GET.get("return") == "check" and filing.application is not None:
        return step_url(filing, "check")
    later = STEPS[STEPS.index(step) + 1 :]
    for candidate in later:
        if _applicable(filing, candidate):
            return step_url(filing, candidate.slug)
    return step_url(filing, "check")


def back_url(request: HttpRequest, filing: Filing, step: Step) -> str:
    if request.GET.get("return") == "check" and filing.application is not None:
        return step_url(filing, "check")
    for candidate in reversed(STEPS[: STEPS.index(step)]):
        if _applicable(filing, candidate):
            return step_url(filing, candidate.slug)
    return reverse("portal:draft_list")


def _attach(parts: list[Part], exc: Exception, errors: list[str]) -> None:
    """A service's refusal, shown on the page: an upload's next to its file field."""
    if isinstance(exc, RejectedUpload):
        index = getattr(exc, "index", 0)
        forms_on_page = [form for part in parts for _legend, form in part.forms]
        form = forms_on_page[min(index, len(forms_on_page) - 1)]
        name = "file" if "file" in form.fields else "document"
        form.add_error(name, str(exc))
    elif isinstance(exc, ValidationError):
        errors.extend(exc.messages)
    else:
        errors.append(str(exc))


def _render_step(
    request: HttpRequest, filing: Filing, step: Step, parts: list[Part], errors: list[str]
) -> HttpResponse:
    context = {
        "filing": filing,
        "step": step,
        "parts": parts,
        "step_errors": errors,
        "back_url": back_url(request, filing, step),
        "return_to_check": request.GET.get("return") == "check",
    }
    if step.slug == "documents" and filing.application is not None:
        context["documents"] = filing.application.documents.order_by("created_at")
        context["continue_url"] = next_url(request, filing, step)
    template = getattr(step, "template", "portal/apply/step.html")
    return render(
        request, template, context, status=400 if errors or request.method == "POST" else 200
    )


@portal_login
@require_http_methods(["GET", "POST"])
def apply_start(request: HttpRequest) -> HttpResponse:
    """Step (a): natural or legal person. Nothing is saved yet: the choice travels in the URL
    of the identity step, whose first save creates the party."""
    form = f.ApplicantTypeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        return redirect("portal:apply_new", kind=form.cleaned_data["kind"])
    # A party the user already acts for applies again (another activity, a second licence)
    # without typing its identity again: its filing starts at the first missing step.
    parties = acting_parties(request.user).order_by("legal_name", "pk")
    return render(
        request,
        "portal/apply/start.html",
        {"form": form, "parties": parties},
        status=400 if form.errors else 200,
    )


@portal_login
@require_http_methods(["GET", "POST"])
def apply_new(request: HttpRequest, kind: str) -> HttpResponse:
    """Step (b) for an applicant not yet known: the first valid save creates the party."""
    if kind not in PartyKind.values:
        raise Http404()
    form = f.identity_form_class(kind)(_posted(request), instance=Party(kind=kind))
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            party = drafts.create_party(kind=kind, fields=fields, by=request.user)
        except (ValidationError, DomainError) as exc:
            _attach([], exc, errors)
        else:
            filing = Filing(party, None)
            return redirect(next_url(request, filing, BY_SLUG["identity"]))
    context = {
        "form": form,
        "kind": kind,
        "step_errors": errors,
        "back_url": reverse("portal:apply_start"),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/apply/new_identity.html", context, status=status)


@portal_login
@require_http_methods(["GET", "POST"])
def apply_step(request: HttpRequest, public_id: uuid.UUID, step: str) -> HttpResponse:
    filing = filing_for(request.user, public_id)
    handler = BY_SLUG.get(step)
    if handler is None:
        raise Http404()
    if _needs_draft(filing, handler):
        return redirect(step_url(filing, "activities"))
    if not handler.applies(filing):
        return redirect(next_url(request, filing, handler))
    if request.method == "POST":
        parts = handler.parts(filing, request.POST, request.FILES)
        errors: list[str] = []
        if all(part.all_valid for part in parts):
            try:
                filing = handler.save(filing, parts, request.user)
            except (ValidationError, DomainError) as exc:
                _attach(parts, exc, errors)
            else:
                if handler.slug == "documents":
                    messages.success(request, _("The document was uploaded."))
                    return redirect(request.get_full_path())
                if "add_row" in request.POST:  # saved; the same page with one more empty row
                    query = request.GET.copy()
                    query["add"] = "1"
                    return redirect(f"{request.path}?{query.urlencode()}")
                return redirect(next_url(request, filing, handler))
        return _render_step(request, filing, handler, parts, errors)
    with empty_rows(2 if request.GET.get("add") else 1):
        parts = handler.parts(filing)
    return _render_step(request, filing, handler, parts, [])


@portal_login
def draft_resume(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    filing = filing_for(request.user, public_id)
    return redirect(step_url(filing, first_incomplete(filing)))


@portal_login
def draft_list(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/apply/drafts.html", {"filings": drafts_of(request.user)})


@portal_login
@require_http_methods(["GET", "POST"])
def apply_check(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Step (j): check your answers, declare (Art. 14.1(i)) and submit."""
    filing = filing_for(request.user, public_id)
    application = filing.application
    if application is None:
        return redirect(step_url(filing, "activities"))
    form = f.DeclarationForm(_posted(request))
    problems = drafts.draft_problems(application)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            drafts.submit_draft(
                application=application, declared=form.cleaned_data["declared"], by=request.user
            )
        except drafts.DraftIncomplete as exc:
            problems = exc.problems
            if not form.cleaned_data["declared"]:
                form.add_error("declared", _("Declare that the information is true and complete."))
        except DomainError as exc:
            errors.append(str(exc))
        else:
            return redirect("portal:apply_submitted", public_id=application.public_id)
    context = {
        "filing": filing,
        "application": application,
        "activities": activity_labels(application.activities),
        "sections": summary(filing),
        "problems": [(p, step_url(filing, p.step)) for p in problems if p.step != "check"],
        "form": form,
        "step_errors": errors,
        "posted": request.method == "POST",
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/apply/check.html", context, status=status)


@portal_login
def apply_submitted(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    application = submitted_application(request.user, public_id)
    return render(request, "portal/apply/submitted.html", {"application": application})
