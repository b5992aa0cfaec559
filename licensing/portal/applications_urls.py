"""Filing and drafts (Art. 6.3(b)); the views are in ``licensing.portal.apply``."""

from django.urls import path

from licensing.portal import apply

urlpatterns = [
    path("apply/", apply.apply_start, name="apply_start"),
    path("apply/drafts/", apply.draft_list, name="draft_list"),
    path("apply/new/<str:kind>/", apply.apply_new, name="apply_new"),
    path("apply/<uuid:public_id>/", apply.draft_resume, name="draft_resume"),
    path("apply/<uuid:public_id>/check/", apply.apply_check, name="apply_check"),
    path("apply/<uuid:public_id>/submitted/", apply.apply_submitted, name="apply_submitted"),
    path("apply/<uuid:public_id>/<slug:step>/", apply.apply_step, name="apply_step"),
]
