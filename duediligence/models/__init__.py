from duediligence.models.blocked import BlockedCustomer, BlockedCustomerQuerySet
from duediligence.models.keys import KeyKind, ScreeningKey
from duediligence.models.reviews import (
    CheckOutcome,
    CheckResult,
    Disposition,
    DispositionMissing,
    Review,
    ReviewState,
)

__all__ = [
    "BlockedCustomer",
    "BlockedCustomerQuerySet",
    "CheckOutcome",
    "CheckResult",
    "Disposition",
    "DispositionMissing",
    "KeyKind",
    "Review",
    "ReviewState",
    "ScreeningKey",
]
