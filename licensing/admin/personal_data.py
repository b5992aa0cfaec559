"""Reading personal data on purpose (Art. 5; ASVS V8.2.2, V8.2.3, V16.3.2): the reveal page
behind each masked value on a party's page, the purpose form before a reveal or a document
download for the roles that must state one, and the auditor's "Personal data reads" per subject
(ASVS V16.2.1). The service (licensing/services/personal_data.py) writes the VIEWED event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from licensing.admin.shared import download_link
from licensing.models import Document, Party, Person
from licensing.services import personal_data as services

READS_PER_PAGE = 50

# The fields each reveal shows, by kind (the record's own verbose names label them).
SHOWN = {
    "party": (
        "identity_document_type",
        "identity_document_number",
        "identity_document_country",
        "identity_document_expires_on",
    ),
    "person": (
        "full_name",
        "identity_document_type",
        "identity_document_number",
        "identity_document_country",
        "identity_document_expires_on",
    ),
    "bank": ("iban", "account_number", "bic", "bank_name", "holder_name"),
    "declaration": ("person", "declared_on", "has_convictions", "details", "review_note"),
}
READERS: dict[str, Callable[[Any, Any, str], Any]] = {
    "party": lambda r, u, p: services.read_identity_document(record=r, by=u, purpose=p),
    "person": lambda r, u, p: services.read_identity_document(record=r, by=u, purpose=p),
    "bank": lambda r, u, p: services.read_bank_account(account=r, by=u, purpose=p),
    "declaration": lambda r, u, p: services.read_declaration(declaration=r, by=u, purpose=p),
}


class PurposeForm(forms.Form):
    # Required by the service for the roles of PERSONAL_DATA_PURPOSE_GROUPS, not by the form:
    # one door decides.
    purpose = forms.CharField(
        label=_("Purpose"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_(
            "Why you need to see this personal data (Art. 5). It is kept in the audit trail."
        ),
    )


def _read(
    request: HttpRequest, read: Callable[[str], Any], context: dict[str, Any]
) -> TemplateResponse | None:
    """Write the read (``read(purpose)``) and return None, or return the purpose form: asked
    first of the roles that state a purpose, again with the error when the purpose is empty."""
    form = PurposeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            read(form.cleaned_data["purpose"])
        except services.PurposeRequired as error:
            form.add_error("purpose", str(error))
        else:
            return None
    elif not form.is_bound and not services.purpose_required(request.user):
        read("")
        return None
    return TemplateResponse(
        request, "admin/licensing/personal_data/purpose.html", {**context, "form": form}
    )


def read_document(request: HttpRequest, document: Document, context: dict[str, Any]) -> Any:
    """For the download view, after its permission check: the purpose form, or None once the
    download is recorded and the file may be served."""
    return _read(
        request,
        lambda purpose: services.download_document(
            document=document, by=request.user, purpose=purpose
        ),
        {
            **context,
            "title": _("Download %(name)s") % {"name": document.original_name},
            "subject": document,
        },
    )


class PersonalDataAdminMixin:
    """For PartyAdmin: the reveal page of each masked value on the party's page, and the
    auditor's list of reads (linked from the page as "Who viewed this")."""

    change_form_template: Any = "admin/licensing/party/change_form.html"

    def get_urls(self) -> list[URLPattern]:
        admin_view = self.admin_site.admin_view  # type: ignore[attr-defined]
        return [
            path(
                "personal-data-reads/",
                admin_view(self.reads_view),
                name="licensing_party_reads",
            ),
            path(
                "<path:object_id>/personal-data/<str:kind>/<int:pk>/",
                admin_view(self.reveal_view),
                name="licensing_party_reveal",
            ),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        context = dict(extra_context or {})
        if services.may_list_reads(request.user):
            url = reverse("admin:licensing_party_reads")
            context["personal_data_reads_url"] = f"{url}?{urlencode({'party': object_id})}"
        return super().change_view(request, object_id, form_url, context)  # type: ignore[misc]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = dict(extra_context or {})
        if services.may_list_reads(request.user):
            context["personal_data_reads_url"] = reverse("admin:licensing_party_reads")
        return super().changelist_view(request, context)  # type: ignore[misc]

    def _record_for(self, request: HttpRequest, party: Party, kind: str, pk: int) -> Any:
        """The record behind a Show link, under the permission of the page part that shows
        it: the party's page itself, or the inline (persons, bank accounts, declarations)."""
        if kind == "party":
            if pk != party.pk:
                raise Http404
            return party
        for inline_class in self.inlines:  # type: ignore[attr-defined]
            if getattr(inline_class, "reveal_kind", "") != kind:
                continue
            inline = inline_class(self.model, self.admin_site)  # type: ignore[attr-defined]
            if not inline.has_view_or_change_permission(request, party):
                raise PermissionDenied
            record = inline.get_queryset(request).filter(party=party, pk=pk).first()
            if record is None:
                raise Http404
            return record
        raise Http404

    def reveal_view(self, request: HttpRequest, object_id: str, kind: str, pk: int) -> Any:
        party = self.get_object(request, object_id)  # type: ignore[attr-defined]
        if party is None or kind not in READERS:
            raise Http404
        if not self.has_view_or_change_permission(request, party):  # type: ignore[attr-defined]
            raise PermissionDenied
        record = self._record_for(request, party, kind, pk)
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "opts": self.model._meta,  # type: ignore[attr-defined]
            "party": party,
            "subject": record,
            "change_url": reverse("admin:licensing_party_change", args=[party.pk]),
            "title": _("Personal data of %(subject)s") % {"subject": record},
        }
        asked = _read(
            request, lambda purpose: READERS[kind](record, request.user, purpose), context
        )
        if asked is not None:
            return asked
        rows = [
            (record._meta.get_field(name).verbose_name, _display(record, name))
            for name in SHOWN[kind]
        ]
        if kind == "declaration" and record.document_id:
            rows.append((_("supporting document"), download_link(record.document)))
        return TemplateResponse(
            request, "admin/licensing/personal_data/reveal.html", {**context, "rows": rows}
        )

    def reads_view(self, request: HttpRequest) -> TemplateResponse:
        if not services.may_list_reads(request.user):
            raise PermissionDenied
        party = person = None
        if (person_id := request.GET.get("person", "")).isdigit():
            person = Person.with_proposals.select_related("party").filter(pk=person_id).first()
            party = person.party if person is not None else None
        elif (party_id := request.GET.get("party", "")).isdigit():
            party = Party.objects.filter(pk=party_id).first()
        term = request.GET.get("q", "")[:200]
        events = services.reads_of(party=party, person=person, term=term)
        page = Paginator(events, READS_PER_PAGE).get_page(request.GET.get("p"))
        persons = list(Person.with_proposals.filter(party=party)) if party is not None else []
        return TemplateResponse(
            request,
            "admin/licensing/personal_data/reads.html",
            {
                **self.admin_site.each_context(request),  # type: ignore[attr-defined]
                "opts": self.model._meta,  # type: ignore[attr-defined]
                "title": _("Personal data reads"),
                "party": party,
                "person": person,
                "persons": persons,
                "term": term,
                "page": page,
            },
        )


def _display(record: Any, name: str) -> Any:
    value = getattr(record, name)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    getter = getattr(record, f"get_{name}_display", None)
    if callable(getter):
        return getter()
    if hasattr(value, "name") and hasattr(value, "code"):  # a django-countries Country
        return value.name
    return format_html("{}", value) if value not in (None, "") else "-"
