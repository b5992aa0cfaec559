"""What the returns app tells the apps above it (DESIGN.md: models depend downward only).

``return_filed``: a return (a first filing or a correction) was committed; sent with
``filed_return``, after the commit. Due diligence checks it (``duediligence.receivers``)."""

from django.dispatch import Signal

return_filed = Signal()
