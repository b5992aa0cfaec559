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

__all__ = [
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
    "Section",
    "SubjectKind",
    "validate_channels",
]
