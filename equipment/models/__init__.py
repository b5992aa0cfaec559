from equipment.models.codes import MachineCode
from equipment.models.custody import CustodyNotice, NoticeKind, NoticeStatus, OfficerTask, TaskKind
from equipment.models.destruction import (
    DestructionLine,
    DestructionMethod,
    DestructionOrder,
    DestructionPhoto,
    LineKind,
    OrderOrigin,
    OrderState,
    QuantityUnit,
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
    "DestructionLine",
    "DestructionMethod",
    "DestructionOrder",
    "DestructionPhoto",
    "LineKind",
    "Machine",
    "MachineCode",
    "MachineKind",
    "MachineState",
    "NoticeKind",
    "NoticeStatus",
    "OfficerTask",
    "OrderOrigin",
    "OrderState",
    "Part",
    "QuantityUnit",
    "TaskKind",
    "normalised_serial",
]
