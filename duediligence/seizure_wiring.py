"""What seizures add to due diligence (Art. 18, 21.1(e)): a case's screening keys, indexed in
the case's transaction whenever it changes, and the two seizure sources of the related-party
and machine checks. Seizures sit below due diligence (DESIGN.md): they tell it by a signal."""

from __future__ import annotations

from typing import Any


def _case_changed(sender: Any, case: Any, **kwargs: Any) -> None:
    from duediligence.services.rescoring import rescore_after_commit
    from duediligence.services.seizure_keys import index_case
    from seizures.models import SeizedItem

    index_case(case)
    # Art. 18: a case ties its party, and the holders of the register's machines in it.
    holders = SeizedItem.objects.filter(case=case, register_machine__isnull=False).values_list(
        "register_machine__holder_id", flat=True
    )
    rescore_after_commit([case.party_id, *holders])


def connect() -> None:
    from duediligence.seizure_source import SeizedIdentities, SeizedSerials
    from duediligence.sources import register_machine_source, register_source
    from seizures.signals import case_changed

    register_source(SeizedIdentities())
    register_machine_source(SeizedSerials())
    case_changed.connect(_case_changed, dispatch_uid="duediligence-seizure-keys")
