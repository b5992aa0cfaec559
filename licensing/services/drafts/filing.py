"""The filing itself: the activities applied for (which create the draft), its documents, and
the submission."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from licensing.exceptions import DomainError, PermissionDenied
from licensing.models.applications import Application, ApplicationKind, ApplicationState
from licensing.models.audit import Verb
from licensing.models.documents import Document
from licensing.models.parties import Party
from licensing.services import applications as application_services
from licensing.services.audit import record_event
from licensing.services.common import locked
from licensing.services.documents import store_document
from licensing.services.draft_checks import Problem, draft_problems
from licensing.services.drafts.common import guard


class DraftIncomplete(DomainError):
    default_message = _("The application is not complete yet.")

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__()


@transaction.atomic
def save_activities(
    *, party: Party, application: Application | None, activities: list[str], by: Any
) -> Application:
    """Step (c), Art. 6.1 and 6.2. The first save creates the draft application (for a licensed
    party, the first step of a new filing: every change it proposes belongs to the draft)."""
    if application is None:
        if not by.has_perm("licensing.act_for_party", party):
            raise PermissionDenied()
        existing = Application.objects.filter(
            party=party, kind=ApplicationKind.NEW, state=ApplicationState.DRAFT
        ).first()
        if existing is None:
            return application_services.create_application(
                party=party, kind=ApplicationKind.NEW, activities=activities, by=by
            )
        current = locked(Application, existing.pk)
    else:
        current = guard(party=party, application=application, by=by)  # type: ignore[assignment]
    if current.activities != activities:
        current.activities = activities
        current.full_clean(exclude=["state"])
        current.save(update_fields=["activities", "updated_at"])
        record_event(current, verb=Verb.EDITED, by=by, changes={"activities": activities})
    return current


@transaction.atomic
def upload_document(*, application: Application, kind: str, upload: Any, by: Any) -> Document:
    """Articles of incorporation (Art. 6.3(b)(ii)) and other documents for the draft."""
    current = guard(party=application.party, application=application, by=by)
    return store_document(
        party=application.party, upload=upload, kind=kind, by=by, application=current
    )


@transaction.atomic
def submit_draft(*, application: Application, declared: bool, by: Any) -> Application:
    """Step (j): the applicant declares the information true and complete (Art. 14.1(i)) and
    submits. Refused, with the list of what is missing, while a required item is missing."""
    current = guard(party=application.party, application=application, by=by)
    assert current is not None  # noqa: S101 - guard returns the draft it was given
    problems = draft_problems(current)
    if not declared:
        problems.append(Problem("check", _("Declare that the information is true and complete.")))
    if problems:
        raise DraftIncomplete(problems)
    application_services.accept_declaration(application_id=current.pk, by=by)
    return application_services.submit_application(application_id=current.pk, by=by)


__all__ = ["DraftIncomplete", "save_activities", "submit_draft", "upload_document"]
