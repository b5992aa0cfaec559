"""Steps of the filing itself: the activities applied for (Art. 6.1, 6.2), which create the
draft, and its documents."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from licensing.models import Activity
from licensing.portal import apply_forms as f
from licensing.portal.apply_steps.base import ApplicationStep, Part, Step, single
from licensing.portal.filing import Filing
from licensing.services import drafts


class Activities(Step):
    slug = "activities"
    title = _("Activities applied for")
    hint = _("Art. 6.1 and 6.2: choose every activity the licence is to cover.")

    def parts(self, filing: Filing, data: Any = None, files: Any = None) -> list[Part]:
        initial = {"activities": filing.application.activities if filing.application else []}
        return [single(f.ActivitiesForm(data, initial=initial))]

    def save(self, filing: Filing, parts: list[Part], by: Any) -> Filing:
        form = parts[0].forms[0][1]
        # Keep the order of the list of activities, whatever the order posted.
        chosen = [a for a in Activity.values if a in form.cleaned_data["activities"]]
        application = drafts.save_activities(
            party=filing.party, application=filing.application, activities=chosen, by=by
        )
        return Filing(filing.party, application)


class Documents(ApplicationStep):
    slug = "documents"
    title = _("Documents")
    hint = _(
        "Art. 6.3(b)(ii): a legal person uploads its articles of incorporation or equivalent. "
        "Other documents are optional. Upload one at a time; Continue when done."
    )
    template = "portal/apply/documents.html"

    def parts(self, filing: Filing, data: Any = None, files: Any = None) -> list[Part]:
        return [single(f.DocumentForm(data, files))]

    def save(self, filing: Filing, parts: list[Part], by: Any) -> Filing:
        form = parts[0].forms[0][1]
        drafts.upload_document(
            application=self.app(filing),
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
            by=by,
        )
        return filing
