from django.conf import settings
from django.urls import include, path
from django.views.static import serve

from xiaobao.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("complaints/", include("xiaobao.complaints.urls")),
    path("statistics/", include("xiaobao.analytics.urls")),
    path("early-warnings/", include("xiaobao.early_warning.urls")),
    path("reports/", include("xiaobao.reports.urls")),
    path("imports/", include("xiaobao.imports.urls")),
    path("", include("xiaobao.core.urls")),
    # browsers ask for /favicon.ico whatever the page links: the same small SVG
    path(
        "favicon.ico",
        serve,
        {"path": "favicon.svg", "document_root": settings.BASE_DIR / "static" / "xiaobao"},
    ),
]
