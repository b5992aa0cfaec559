"""What due diligence says against approving an application (Art. 6.3(d)): registered as a
gate of ``application.approve`` (``licensing.gates``), so the core refuses the approval and the
admin shows the reason where the button would be."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from duediligence.models import Disposition, Review, ReviewState
from licensing.exceptions import DomainError


class ReviewOpen(DomainError):
    default_message = _("The due-diligence review is not complete.")


class CriticalFlagUpheld(DomainError):
    default_message = _(
        "A critical due-diligence flag is upheld: the application cannot be approved."
    )


def approval_gate(application: Any) -> list[DomainError]:
    """Refuse while the review is open, or while a critical flag of its latest run is upheld.
    An application submitted before due diligence was installed has no review and is not held
    back (``manage.py index_screening_keys --open-reviews`` opens theirs)."""
    review = Review.objects.filter(application_id=application.pk).first()
    if review is None:
        return []
    if review.state != ReviewState.COMPLETED:
        return [ReviewOpen()]
    if review.latest_results().filter(critical=True, disposition=Disposition.UPHELD).exists():
        return [CriticalFlagUpheld()]
    return []
