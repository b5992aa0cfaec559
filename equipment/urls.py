"""The equipment pages: the holder's, under the portal, and the inspector's, under /inspect/."""

from django.urls import path

from equipment import inspect, portal

app_name = "equipment"
urlpatterns = [
    path("portal/equipment/<uuid:public_id>/", portal.machine_list, name="machines"),
    path("portal/equipment/<uuid:public_id>/acquire/", portal.acquire, name="acquire"),
    path("portal/equipment/machine/<uuid:public_id>/dispose/", portal.dispose, name="dispose"),
    path("portal/equipment/machine/<uuid:public_id>/move/", portal.move, name="move"),
    path(
        "portal/equipment/machine/<uuid:public_id>/destroy/",
        portal.request_destruction,
        name="request_destruction",
    ),
    path("inspect/", inspect.order_list, name="inspect_orders"),
    path("inspect/<uuid:public_id>/", inspect.order_detail, name="inspect_order"),
]
