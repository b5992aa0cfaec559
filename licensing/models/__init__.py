"""The licensing domain, a module per concept."""

from licensing.models.accounts import PortalProfile
from licensing.models.activities import Activity
from licensing.models.applications import (
    Application,
    ApplicationKind,
    ApplicationState,
    InformationRequest,
    MarketDeclaration,
    SubmissionSnapshot,
)
from licensing.models.audit import AuditChainLink, AuditCheckpoint, AuditEvent, Verb
from licensing.models.base import Record
from licensing.models.batches import (
    PrintBatch,
    PrintBatchItem,
    PrintBatchItemState,
    PrintBatchState,
    ReprintPolicy,
)
from licensing.models.decisions import (
    DecisionGround,
    DecisionProposal,
    ProposalAction,
    ProposalStatus,
)
from licensing.models.documents import Document, DocumentKind
from licensing.models.fees import FeeSchedule, Invoice, InvoiceLine, Payment
from licensing.models.identifiers import (
    CodeKind,
    FacilityCode,
    MessageType,
    OperatorCode,
    RegistryMessage,
)
from licensing.models.imports import ImportFormat, ImportState, LegacyImport
from licensing.models.issued import IssuedDocument, IssuedDocumentKind
from licensing.models.licences import Condition, Licence, LicenceState, LicenceTerm
from licensing.models.notifications import Notification, NotificationStatus, Sequence
from licensing.models.parties import (
    BankAccount,
    CorporateAffiliation,
    CriminalRecordDeclaration,
    Party,
    PartyKind,
    Person,
    PersonRole,
    TaxRegistration,
)
from licensing.models.permissions import PartyGroupObjectPermission, PartyUserObjectPermission
from licensing.models.portal import DeclaredMachine, Invitation
from licensing.models.reminders import ExpiryReminder
from licensing.models.sites import Product, ProductionCapacity, ProductType, Site, SiteKind
from licensing.models.tallies import StateTally
from licensing.models.transfers import TransferRequest, TransferRequestState
from licensing.models.versions import RecordSource, RecordVersion, Regulated

__all__ = [
    "Activity",
    "Application",
    "ApplicationKind",
    "ApplicationState",
    "AuditChainLink",
    "AuditCheckpoint",
    "AuditEvent",
    "BankAccount",
    "CodeKind",
    "Condition",
    "CorporateAffiliation",
    "CriminalRecordDeclaration",
    "DecisionGround",
    "DecisionProposal",
    "DeclaredMachine",
    "Document",
    "DocumentKind",
    "ExpiryReminder",
    "FacilityCode",
    "FeeSchedule",
    "ImportFormat",
    "ImportState",
    "InformationRequest",
    "Invitation",
    "Invoice",
    "InvoiceLine",
    "IssuedDocument",
    "IssuedDocumentKind",
    "LegacyImport",
    "Licence",
    "LicenceState",
    "LicenceTerm",
    "MarketDeclaration",
    "MessageType",
    "Notification",
    "NotificationStatus",
    "OperatorCode",
    "Party",
    "PartyGroupObjectPermission",
    "PartyKind",
    "PartyUserObjectPermission",
    "Payment",
    "Person",
    "PersonRole",
    "PortalProfile",
    "PrintBatch",
    "PrintBatchItem",
    "PrintBatchItemState",
    "PrintBatchState",
    "Product",
    "ProductType",
    "ProductionCapacity",
    "ProposalAction",
    "ProposalStatus",
    "Record",
    "RecordSource",
    "RecordVersion",
    "RegistryMessage",
    "Regulated",
    "ReprintPolicy",
    "Sequence",
    "Site",
    "SiteKind",
    "StateTally",
    "SubmissionSnapshot",
    "TaxRegistration",
    "TransferRequest",
    "TransferRequestState",
    "Verb",
]
