from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve

from xiaobao.api import api, api_not_found

urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/", api_not_found),  # unknown API paths: the API's error shape, also with DEBUG on
    path("i18n/", include("django.conf.urls.i18n")),
    path("complaints/", include("xiaobao.complaints.urls")),
    path("statistics/", include("xiaobao.analytics.urls")),
    path("early-warnings/", include("xiaobao.early_warning.urls")),
    path("reports/", include("xiaobao.reports.urls")),
    path("imports/", include("xiaobao.imports.urls")),
    path("inspections/", include("xiaobao.inspections.urls")),
    path("rectifications/", include("xiaobao.rectification.urls")),
    path("sales-recording/", include("xiaobao.sales_recording.urls")),
    path("reviews/", include("xiaobao.review.urls")),
    path("review-rules/", include("xiaobao.checker.urls")),
    path("fees/", include("xiaobao.fees.urls")),
    path("training/", include("xiaobao.training.urls")),
    path("exams/", include("xiaobao.exams.urls")),
    path("education/", include("xiaobao.education.urls")),
    path("surveys/", include("xiaobao.surveys.urls")),
    path("special-services/", include("xiaobao.special_services.urls")),
    path("governance/", include("xiaobao.governance.urls")),
    path("policies/", include("xiaobao.policies.urls")),
    path("desk/", include("xiaobao.desk.urls")),
    path("notes/", include("xiaobao.notes.urls")),
    path("case-library/", include("xiaobao.case_library.urls")),
    path("classification/", include("xiaobao.classification.urls")),
    path("directory/", include("xiaobao.directory.urls")),
    path("portal/", include("xiaobao.portal.urls")),
    path("outreach/", include("xiaobao.outreach.urls")),
    path("webhooks/", include("xiaobao.webhooks.urls")),
    path("public/complaints/", include("xiaobao.portal.public_urls")),
    path("public/training/", include("xiaobao.training.public_urls")),
    path("public/surveys/", include("xiaobao.surveys.public_urls")),
    path("public/verify/", include("xiaobao.review.public_urls")),
    path("public/fees/", include("xiaobao.fees.public_urls")),
    path("notifications/", include("xiaobao.casework.urls")),
    path("", include("xiaobao.core.urls")),
    # browsers ask for /favicon.ico whatever the page links: the same small SVG
    path(
        "favicon.ico",
        serve,
        {"path": "favicon.svg", "document_root": settings.BASE_DIR / "static" / "xiaobao"},
    ),
]

# Errors raised outside a route (a body Django refuses, an unknown path): the API's error shape under /api/,
# Django's pages elsewhere.
handler400 = "xiaobao.api.bad_request"
handler403 = "xiaobao.api.permission_denied"
handler404 = "xiaobao.api.page_not_found"
handler500 = "xiaobao.api.server_error"
