from seizures.models.cases import (
    CaseOrigin,
    CaseState,
    PartyKind,
    PersonRole,
    SeizureCase,
    SeizurePerson,
)
from seizures.models.custody import CustodyMove, StorageLocation
from seizures.models.items import (
    IN_STORE,
    UNITS,
    ItemKind,
    ItemStatus,
    SeizedItem,
    SeizurePhoto,
    TobaccoForm,
    Unit,
)

__all__ = [
    "IN_STORE",
    "UNITS",
    "CaseOrigin",
    "CaseState",
    "CustodyMove",
    "ItemKind",
    "ItemStatus",
    "PartyKind",
    "PersonRole",
    "SeizedItem",
    "SeizureCase",
    "SeizurePerson",
    "SeizurePhoto",
    "StorageLocation",
    "TobaccoForm",
    "Unit",
]
