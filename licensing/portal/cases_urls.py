"""An application after filing (status, documents, information requests, withdrawal, fee) and
the licensee's licences (renewal, change, transfer). Records are named by their public id."""

from django.urls import path

from licensing.portal import cases, issued, licences

urlpatterns = [
    path("cases/<uuid:public_id>/", cases.application_detail, name="application_detail"),
    path("cases/<uuid:public_id>/reply/", cases.application_reply, name="application_reply"),
    path(
        "cases/<uuid:public_id>/withdraw/", cases.application_withdraw, name="application_withdraw"
    ),
    path("cases/<uuid:public_id>/fee/", cases.application_fee, name="application_fee"),
    path("cases/<uuid:public_id>/fee/pay/", cases.application_pay, name="application_pay"),
    path("documents/<uuid:public_id>/", cases.document_download, name="document_download"),
    path("licences/", licences.licence_list, name="licence_list"),
    path("licences/<uuid:public_id>/", licences.licence_detail, name="licence_detail"),
    path("licences/<uuid:public_id>/licence.pdf", issued.licence_pdf, name="licence_pdf"),
    # Art. 6, 6.3(a): the letters about a refusal, suspension or revocation.
    path("letters/<uuid:public_id>/", issued.letter_pdf, name="letter_pdf"),
    path("licences/<uuid:public_id>/renew/", licences.licence_renew, name="licence_renew"),
    path("licences/<uuid:public_id>/change/", licences.licence_change, name="licence_change"),
    path("licences/<uuid:public_id>/transfer/", licences.licence_transfer, name="licence_transfer"),
    path("transfers/<uuid:public_id>/cancel/", licences.transfer_cancel, name="transfer_cancel"),
    path("transfers/accept/<str:token>/", licences.transfer_accept, name="transfer_accept"),
]
