from equipment.models.custody import CustodyNotice, NoticeKind, NoticeStatus, OfficerTask, TaskKind
from equipment.models.destruction import (
    DestructionMethod,
    DestructionOrder,
    DestructionPhoto,
    OrderOrigin,
    OrderState,
)
from equipment.models.machines import (
    HELD,
    IN_USE,
    Machine,
    MachineKind,
    MachineState,
    Part,
    normalised_serial,
)

__all__ = [
    "HELD",
    "IN_USE",
    "CustodyNotice",
    "DestructionMethod",
    "DestructionOrder",
    "DestructionPhoto",
    "Machine",
    "MachineKind",
    "MachineState",
    "NoticeKind",
    "NoticeStatus",
    "OfficerTask",
    "OrderOrigin",
    "OrderState",
    "Part",
    "TaskKind",
    "normalised_serial",
]
