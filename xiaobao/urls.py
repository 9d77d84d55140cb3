from django.urls import include, path

from xiaobao.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("complaints/", include("xiaobao.complaints.urls")),
    path("", include("xiaobao.core.urls")),
]
