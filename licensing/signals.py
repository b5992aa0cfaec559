"""What the core tells the apps above it (equipment, duediligence), which listen; the core
imports neither (DESIGN.md). Sent after the transaction commits, so a listener never sees a
change that was rolled back and may start Celery work at once.

``state_changed(sender=ModelClass, pk=..., transition="revoke", from_state=..., to_state=...,
event_id=...)``: e.g. an application was submitted, a licence revoked or expired."""

from django.dispatch import Signal

state_changed = Signal()

# ``demo_loaded(sender=None)``: ``load_demo`` finished loading the demo world, so that an app
# above the core can add what the fixture (core rows only) does not hold, e.g. its indexes.
demo_loaded = Signal()

# ``codes_deactivated(sender=OperatorCode, operator_ids=[...], facility_ids=[...], reason=...)``:
# tracking-and-tracing identifier codes were deactivated (licensing/services/identifiers.py).
# Unlike ``state_changed`` it is sent *inside* the transaction that deactivated them: Reg. (EU)
# 2018/574 Art. 15(4) and 17(4) make the related machine codes fall automatically, so
# ``equipment`` deactivates them in the same commit, or not at all.
codes_deactivated = Signal()
