"""The steps of a filing (Art. 6.3(b)), in order. Each step builds its forms and saves them
through one service call; ``licensing.portal.apply`` runs them as question pages. The modules
follow the draft services' (``licensing.services.drafts``): party, people, sites, money,
filing."""

from licensing.portal.apply_steps.base import ApplicationStep, Part, Step
from licensing.portal.apply_steps.filing import Activities, Documents
from licensing.portal.apply_steps.money import Bank
from licensing.portal.apply_steps.party import Affiliates, Identity, Tax
from licensing.portal.apply_steps.people import CriminalRecords, People
from licensing.portal.apply_steps.sites import Capacity, Machines, Markets, Products, Sites

STEPS: list[Step] = [
    Identity(),
    Tax(),
    Affiliates(),
    People(),
    Activities(),
    Sites(),
    Capacity(),
    Products(),
    Machines(),
    CriminalRecords(),
    Bank(),
    Markets(),
    Documents(),
]
BY_SLUG = {step.slug: step for step in STEPS}

__all__ = ["BY_SLUG", "STEPS", "ApplicationStep", "Part", "Step"]
