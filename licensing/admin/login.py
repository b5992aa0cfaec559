"""The officers' log-in form. A name longer than any username is refused on the form before a
backend runs (Django's form sets the length on the field's widget only, and django-axes failed
to store a name longer than its column: a 500), and the attempt still counts against the
lock-out, stored under the name cut to the column's length."""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.validators import MaxLengthValidator

# The longest name django-axes stores (the ``username`` column of its attempts and logs).
AXES_USERNAME_LENGTH = AccessAttempt._meta.get_field("username").max_length or 255


class OfficerAuthenticationForm(AdminAuthenticationForm):
    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        max_length = getattr(field, "max_length", None) or AXES_USERNAME_LENGTH
        field.validators.append(MaxLengthValidator(max_length))

    def clean(self) -> dict[str, Any]:
        if self.has_error("username", code="max_length"):
            self._count_failed_attempt()
        return super().clean()

    def _count_failed_attempt(self) -> None:
        """What ``django.contrib.auth.authenticate`` does for a refused log-in, with the name
        as django-axes can store it: the lock-out is checked, the failure signalled."""
        username = str(self.data.get("username", ""))[:AXES_USERNAME_LENGTH]
        credentials = {"username": username, "password": "********************"}
        request: Any = self.request  # django-axes marks it with its own attributes
        if request is not None and not AxesProxyHandler.is_allowed(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
