from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("portal/", include("licensing.portal.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The equipment register's pages: the holder's under /portal/equipment/, the inspector's
    # phone-sized page under /inspect/.
    path("", include("equipment.urls")),
    # Public verification (/verify/) and register (/register/): no log-in.
    path("", include("licensing.verify.urls")),
]
