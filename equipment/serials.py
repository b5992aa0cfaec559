"""How serial numbers and makes are compared: the one rule the equipment register, the
inspector's page and the due-diligence machine check share (Art. 6.3(b)(iv), 6.3(h), 18)."""

from __future__ import annotations

import re


def normalised_serial(text: str) -> str:
    """A serial number or a make as compared: upper case, without spaces, dashes, dots,
    slashes or underscores, so that "ab-12 34" and "AB1234" are the same machine."""
    return re.sub(r"[\s\-./_]+", "", text or "").upper()
