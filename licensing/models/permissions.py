"""Direct foreign-key object-permission tables for Party (django-guardian's fast path)."""

from __future__ import annotations

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from licensing.models.parties import Party


class PartyUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Party, on_delete=models.PROTECT)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class PartyGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Party, on_delete=models.PROTECT)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False
