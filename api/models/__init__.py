from api.models.calls import ApiCall
from api.models.clients import PartnerClient
from api.models.subscriptions import Delivery, DeliveryState, Subscription, SubscriptionState

__all__ = [
    "ApiCall",
    "Delivery",
    "DeliveryState",
    "PartnerClient",
    "Subscription",
    "SubscriptionState",
]
