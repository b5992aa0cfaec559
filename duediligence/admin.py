"""Due diligence in the officers' admin: the review of an application with its checks, evidence
and risk score; each flag cleared or upheld with a comment; the blocked-customer register
(Art. 7.4). Every button calls a service; every page is limited to the applications the user
may see (``licensing.selectors.visible_applications``)."""

from __future__ import annotations

import json
from typing import Any

from django import forms, http
from django.contrib import admin
from django.db.models import QuerySet
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from duediligence.checks import check_for
from duediligence.models import BlockedCustomer, CheckResult, Disposition, Review
from duediligence.services import reviews as services
from licensing import selectors
from licensing.admin.actions import AdminAction, ServiceActionsAdmin
from licensing.admin.base import KeptAdmin, ReadOnlyAdmin, link_to
from licensing.admin.forms import ActionForm
from licensing.admin.panels import register_panel
from licensing.exceptions import DomainError, PermissionDenied


class CommentForm(ActionForm):
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Why: kept with the flag and in the audit trail."),
    )

    def clean_comment(self) -> str:
        comment: str = self.cleaned_data["comment"].strip()
        if not comment:
            raise forms.ValidationError(_("A comment is required."))
        return comment


def _reviewer_only(review: Review, user: Any) -> list[DomainError]:
    return [] if services.may_review(user, review.application_id) else [PermissionDenied()]


REVIEW_ACTIONS = (
    AdminAction(
        "rerun",
        _("Run the checks again"),
        blockers=services.rerun_blockers,
        run=lambda r, u, d: services.rerun_checks(review_id=r.pk, by=u),
        help_text=_(
            "After the applicant changed something: a new run; the results of earlier runs "
            "are kept."
        ),
    ),
    AdminAction(
        "complete",
        _("Complete the review"),
        transition="complete",
        blockers=_reviewer_only,
        run=lambda r, u, d: services.complete_review(review_id=r.pk, by=u),
        help_text=_("Every flag of the latest run has been cleared or upheld."),
    ),
)

FLAG_ACTIONS = (
    AdminAction(
        "clear",
        _("Clear the flag"),
        blockers=services.flag_blockers,
        form=CommentForm,
        run=lambda r, u, d: services.decide_flag(
            result_id=r.pk, by=u, disposition=Disposition.CLEARED, comment=d["comment"]
        ),
        summary=lambda r: [(_("Check name"), _label(r)), (_("Summary"), r.summary)],
    ),
    AdminAction(
        "uphold",
        _("Uphold the flag"),
        blockers=services.flag_blockers,
        form=CommentForm,
        danger=True,
        run=lambda r, u, d: services.decide_flag(
            result_id=r.pk, by=u, disposition=Disposition.UPHELD, comment=d["comment"]
        ),
        summary=lambda r: [(_("Check name"), _label(r)), (_("Summary"), r.summary)],
    ),
)


def _label(result: CheckResult) -> str:
    check = check_for(result.code)
    return str(check.label) if check else result.code


class VisibleReviewsMixin:
    """Object level: only reviews of applications the user may see."""

    def get_queryset(self, request: http.HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        visible = selectors.visible_applications(request.user).values("pk")
        return queryset.filter(**{f"{self.application_path}__in": visible})  # type: ignore[attr-defined]


@admin.register(Review)
class ReviewAdmin(VisibleReviewsMixin, ServiceActionsAdmin, ReadOnlyAdmin):
    application_path = "application"
    change_form_template = "admin/duediligence/review/change_form.html"
    service_actions = REVIEW_ACTIONS
    # The score is on the review's page: computed per row it would cost a query each.
    list_display = ("application", "party", "state", "run", "last_run_at")
    list_filter = ("state",)
    list_select_related = ("application__party",)
    search_fields = ("application__reference",)
    fields = ("application_link", "state", "run", "last_run_at", "completed_at", "completed_by")
    readonly_fields = fields

    @admin.display(description=_("application"))
    def application_link(self, obj: Review) -> str:
        return link_to(obj.application)

    @admin.display(description=_("applicant"))
    def party(self, obj: Review) -> str:
        return str(obj.application.party)

    def change_view(
        self,
        request: http.HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> http.HttpResponse:
        review: Review | None = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if review is not None:
            score, contributions = services.risk_score(review)
            results = list(review.results.select_related("disposed_by").order_by("-run", "pk"))
            context.update(
                score=score,
                contributions=contributions,
                latest=[_row(request, r) for r in results if r.run == review.run],
                earlier=[_row(request, r) for r in results if r.run != review.run],
                audit_trail=services.review_trail(review),
            )
        return super().change_view(request, object_id, form_url, context)


def _row(request: http.HttpRequest, result: CheckResult) -> dict[str, Any]:
    """A result as the review page shows it: its evidence as indented JSON (escaped by the
    template) and, for an undecided flag of the latest run, the links to decide it."""
    can_decide = not services.flag_blockers(result, request.user)
    return {
        "result": result,
        "label": _label(result),
        "evidence": json.dumps(result.evidence, indent=1, ensure_ascii=False, sort_keys=True),
        "clear_url": reverse("admin:duediligence_checkresult_action", args=[result.pk, "clear"])
        if can_decide
        else "",
        "uphold_url": reverse("admin:duediligence_checkresult_action", args=[result.pk, "uphold"])
        if can_decide
        else "",
    }


@admin.register(CheckResult)
class CheckResultAdmin(VisibleReviewsMixin, ServiceActionsAdmin, ReadOnlyAdmin):
    """Reached from the review page: the confirmation pages of clearing and upholding."""

    application_path = "review__application"
    service_actions = FLAG_ACTIONS
    list_display = ("review", "run", "code", "outcome", "critical", "disposition")
    list_filter = ("outcome", "disposition", "critical")
    list_select_related = ("review__application",)
    fields = (
        "review",
        "run",
        "code",
        "article",
        "outcome",
        "critical",
        "summary",
        "evidence",
        "ran_at",
        "disposition",
        "disposition_comment",
        "disposed_by",
        "disposed_at",
    )
    readonly_fields = fields

    def has_module_permission(self, request: http.HttpRequest) -> bool:
        return False  # read on the review page

    def change_view(
        self,
        request: http.HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> http.HttpResponse:
        """A result is read on its review's page, where a decided flag leads back to."""
        result = self.get_object(request, object_id)
        if result is None:
            raise http.Http404
        return redirect("admin:duediligence_review_change", result.review_id)


@admin.register(BlockedCustomer)
class BlockedCustomerAdmin(KeptAdmin):
    """Art. 7.4: kept by senior officers; a block that ends gets its "until" date."""

    list_display = ("__str__", "decision_reference", "blocked_from", "until")
    search_fields = ("name", "decision_reference", "party__legal_name", "person__full_name")
    raw_id_fields = ("party", "person")
    fieldsets = (
        (None, {"fields": ("party", "person")}),
        (
            _("Identity, when not in the register"),
            {
                "fields": (
                    "name",
                    "country",
                    "registration_number",
                    "tax_number",
                    "date_of_birth",
                    "identity_document_number",
                    "iban",
                    "address",
                )
            },
        ),
        (None, {"fields": ("reason", "decision_reference", "blocked_from", "until")}),
    )


def application_panel(request: http.HttpRequest, application: Any) -> SafeString | str:
    """On the application's page, above its form: the due-diligence state, score and open
    flags, with the link to the review. Nothing for users who may not see reviews."""
    if not request.user.has_perm("duediligence.view_review"):
        return ""
    review = Review.objects.filter(application_id=application.pk).first()
    if review is None:
        return ""
    score, _rows = services.risk_score(review)
    url = reverse("admin:duediligence_review_change", args=[review.pk])
    return format_html(
        '<section class="decisions due-diligence" aria-labelledby="dd-title">'
        '<h2 id="dd-title">{}</h2><p>{}: <strong>{}</strong> · {}: <strong>{}</strong> · '
        '{}: <strong>{}</strong> · <a href="{}">{}</a></p></section>',
        _("Due diligence"),
        _("Review"),
        review.get_state_display(),
        _("risk score"),
        score,
        _("flags without a decision"),
        review.open_flags().count(),
        url,
        _("Open the review"),
    )


register_panel("licensing.application", application_panel)
