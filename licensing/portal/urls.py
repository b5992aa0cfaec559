"""The portal's URLs, namespace ``portal``. Accounts and applications each own a module."""

from licensing.portal.accounts_urls import urlpatterns as account_urls
from licensing.portal.applications_urls import urlpatterns as application_urls

app_name = "portal"
urlpatterns = [*account_urls, *application_urls]
