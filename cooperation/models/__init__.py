from cooperation.models.authorities import (
    AuthorityKind,
    Channel,
    CompetentAuthority,
    validate_channels,
)
from cooperation.models.cases import (
    PERSONAL_SECTIONS,
    AssistanceCase,
    CaseState,
    Confidentiality,
    DeclineGround,
    Direction,
    Section,
    SubjectKind,
)
from cooperation.models.disclosures import Disclosure, DisclosureChannel
from cooperation.models.transit import (
    OPEN_TRANSIT,
    Goods,
    TransitKind,
    TransitNotice,
    TransitState,
    TransitUnit,
    Transport,
)
from cooperation.models.zones import FreeZone, FreeZoneSite

__all__ = [
    "OPEN_TRANSIT",
    "PERSONAL_SECTIONS",
    "AssistanceCase",
    "AuthorityKind",
    "CaseState",
    "Channel",
    "CompetentAuthority",
    "Confidentiality",
    "DeclineGround",
    "Direction",
    "Disclosure",
    "DisclosureChannel",
    "FreeZone",
    "FreeZoneSite",
    "Goods",
    "Section",
    "SubjectKind",
    "TransitKind",
    "TransitNotice",
    "TransitState",
    "TransitUnit",
    "Transport",
    "validate_channels",
]
