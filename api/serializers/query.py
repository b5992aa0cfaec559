"""Query strings: a parameter given empty is malformed (400), not taken as absent, which DRF
would otherwise do for an optional field."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class QuerySerializer(serializers.Serializer[Any]):
    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        data = getattr(self, "initial_data", {})
        blank = {
            name: [_("This field may not be blank.")]
            for name in self.fields
            if name in data and not str(data.get(name, "")).strip()
        }
        if blank:
            raise serializers.ValidationError(blank)
        return attrs
