"""What a licensee can get wrong when filing, told in the user's language."""

from django.utils.translation import gettext_lazy as _

from licensing.exceptions import DomainError


class NotYourReturn(DomainError):
    default_message = _("You do not act for the holder of this licence.")


class PeriodNotOpen(DomainError):
    default_message = _("This period has not begun yet: its return cannot be filed.")


class CorrectionNeedsReason(DomainError):
    default_message = _("This return was filed before: say why you correct it.")


class EmptyReturn(DomainError):
    default_message = _("A return needs at least one product line.")
