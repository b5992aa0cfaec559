from duediligence.models.blocked import BlockedCustomer, BlockedCustomerQuerySet
from duediligence.models.keys import KeyKind, ScreeningKey
from duediligence.models.reports import (
    ADVERSE_KINDS,
    LicenseeReport,
    MeansOfPayment,
    ReportKind,
    ReportState,
)
from duediligence.models.return_checks import ReturnCheckResult
from duediligence.models.reviews import (
    CheckOutcome,
    CheckResult,
    Disposition,
    DispositionMissing,
    Review,
    ReviewState,
)
from duediligence.models.risk import PartyRiskScore

__all__ = [
    "ADVERSE_KINDS",
    "BlockedCustomer",
    "BlockedCustomerQuerySet",
    "CheckOutcome",
    "CheckResult",
    "Disposition",
    "DispositionMissing",
    "KeyKind",
    "LicenseeReport",
    "MeansOfPayment",
    "PartyRiskScore",
    "ReportKind",
    "ReportState",
    "ReturnCheckResult",
    "Review",
    "ReviewState",
    "ScreeningKey",
]
