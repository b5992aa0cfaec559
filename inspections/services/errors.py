"""Errors a user of the inspections can cause, each with its message for the edge."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from licensing.exceptions import DomainError


class MandatoryAnswersMissing(DomainError):
    default_message = _("Answer every mandatory question before you submit.")


class NoChecklist(DomainError):
    default_message = _("No checklist is published for this licence's activities.")


class SiteNotOfLicence(DomainError):
    default_message = _("The site is not one of the licence's sites.")


class NotAFindingOfThis(DomainError):
    default_message = _("Choose a finding of this inspection.")
