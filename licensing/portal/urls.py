"""The portal's URLs, namespace ``portal``. Each part owns a module: accounts (sign-up, log-in,
the home page), applications (filing and drafts), cases (an application after submission, its
fee, and the licensee's licences)."""

from licensing.portal.accounts_urls import urlpatterns as account_urls
from licensing.portal.applications_urls import urlpatterns as application_urls
from licensing.portal.cases_urls import urlpatterns as case_urls

app_name = "portal"
urlpatterns = [*account_urls, *application_urls, *case_urls]
