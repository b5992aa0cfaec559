from inspections.models.checklists import (
    ActivityGroup,
    AnswerType,
    ChecklistTemplate,
    Question,
    group_for,
)
from inspections.models.inspections import (
    OPEN_STATES,
    SERIOUS,
    Answer,
    Finding,
    FindingKind,
    Inspection,
    InspectionKind,
    InspectionPhoto,
    InspectionState,
    Outcome,
    Severity,
)

__all__ = [
    "OPEN_STATES",
    "SERIOUS",
    "ActivityGroup",
    "Answer",
    "AnswerType",
    "ChecklistTemplate",
    "Finding",
    "FindingKind",
    "Inspection",
    "InspectionKind",
    "InspectionPhoto",
    "InspectionState",
    "Outcome",
    "Question",
    "Severity",
    "group_for",
]
