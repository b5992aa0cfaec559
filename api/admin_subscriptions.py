"""Partners' subscriptions and the delivery log in the officers' admin. Partners subscribe
through the API only; senior officers (``api.manage_subscriptions``) end a subscription with a
reason and send failed deliveries again; auditors read. Every write goes through
``api.services.subscriptions``."""

from __future__ import annotations

from typing import Any

from django import forms, http
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from api.models import Delivery, DeliveryState, Subscription
from api.models.subscriptions import MANAGE
from api.services import subscriptions
from licensing.admin.actions import AdminAction, ServiceActionsAdmin
from licensing.admin.base import ReadOnlyAdmin, link_to
from licensing.admin.forms import ActionForm
from licensing.exceptions import DomainError


class EndSubscriptionForm(ActionForm):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Kept in the audit trail. Nothing still to send is sent."),
    )

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("A reason is required."))
        return reason


SUBSCRIPTION_ACTIONS = (
    AdminAction(
        "end",
        _("End subscription"),
        transition="end",
        form=EndSubscriptionForm,
        danger=True,
        run=lambda s, u, d: subscriptions.end_subscription(
            subscription_id=s.pk, by=u, reason=d["reason"]
        ),
        help_text=_("The partner is told of no further licence change at this endpoint."),
    ),
)

DELIVERY_ACTIONS = (
    AdminAction(
        "retry",
        _("Retry now"),
        transition="retry",
        run=lambda d, u, _data: subscriptions.retry_delivery(delivery_id=d.pk, by=u),
        help_text=_("Sent again now, with the same message id, and retried as a new one."),
        done_message=_("The delivery is queued to be sent again."),
    ),
)


@admin.register(Subscription)
class SubscriptionAdmin(ServiceActionsAdmin, ReadOnlyAdmin):
    service_actions = SUBSCRIPTION_ACTIONS
    list_display = ("client", "endpoint", "state", "created_at", "ended_at")
    list_filter = ("state", "client")
    list_select_related = ("client__authority",)
    search_fields = ("endpoint", "client__name")
    fields = (
        "client",
        "endpoint",
        "state",
        "created_at",
        "ended_at",
        "ended_by",
        "end_reason",
        "deliveries_",
    )
    readonly_fields = fields

    @admin.display(description=_("deliveries"))
    def deliveries_(self, obj: Subscription) -> str:
        counts = {
            str(label): obj.deliveries.filter(state=value).count()
            for value, label in DeliveryState.choices
        }
        return ", ".join(f"{label}: {count}" for label, count in counts.items())


class PartnerFilter(admin.SimpleListFilter):
    title = _("partner")
    parameter_name = "partner"

    def lookups(self, request: http.HttpRequest, model_admin: Any) -> Any:
        from api.models import PartnerClient

        clients = PartnerClient.objects.select_related("authority")
        return [(c.pk, str(c)) for c in clients.order_by("authority__name", "pk")]

    def queryset(self, request: http.HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(subscription__client_id=value) if value else queryset


@admin.register(Delivery)
class DeliveryAdmin(ServiceActionsAdmin, ReadOnlyAdmin):
    """The log: what was sent to whom, when, how often, and what the endpoint answered."""

    service_actions = DELIVERY_ACTIONS
    list_display = (
        "__str__",
        "partner",
        "licence",
        "state",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("state", PartnerFilter)
    list_select_related = ("subscription__client__authority", "event")
    actions = ("retry_failed",)
    fields = (
        "message_id",
        "subscription_",
        "event_",
        "state",
        "attempts",
        "last_attempt_at",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "delivered_at",
        "payload",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description=_("partner"))
    def partner(self, obj: Delivery) -> str:
        return str(obj.subscription.client)

    @admin.display(description=_("licence"))
    def licence(self, obj: Delivery) -> str:
        return f"{obj.event.object_repr} ({obj.event.get_verb_display()})"

    @admin.display(description=_("subscription"))
    def subscription_(self, obj: Delivery) -> str:
        return link_to(obj.subscription)

    @admin.display(description=_("licence event"))
    def event_(self, obj: Delivery) -> str:
        return str(obj.event)

    def has_manage_subscriptions_permission(self, request: http.HttpRequest) -> bool:
        return bool(request.user.has_perm(MANAGE))

    @admin.action(description=_("Retry now"), permissions=["manage_subscriptions"])
    def retry_failed(self, request: http.HttpRequest, queryset: QuerySet[Delivery]) -> None:
        done, skipped = 0, 0
        for delivery in queryset.filter(state=DeliveryState.FAILED):
            try:
                subscriptions.retry_delivery(delivery_id=delivery.pk, by=request.user)
            except DomainError:
                skipped += 1
            else:
                done += 1
        skipped += queryset.exclude(state=DeliveryState.FAILED).count()
        self.message_user(
            request,
            _("%(done)s deliveries queued again; %(skipped)s not failed or not retried.")
            % {"done": done, "skipped": skipped},
            messages.SUCCESS if done else messages.WARNING,
        )
