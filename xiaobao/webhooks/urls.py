from django.urls import path

from xiaobao.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.subscription_list, name="list"),
    path("new/", views.subscription_create, name="create"),
    path("<int:pk>/", views.subscription_detail, name="detail"),
    path("<int:pk>/edit/", views.subscription_edit, name="edit"),
    path("<int:pk>/test/", views.subscription_test, name="test"),
    path("<int:pk>/rotate-secret/", views.subscription_rotate, name="rotate"),
    path("<int:pk>/toggle/", views.subscription_toggle, name="toggle"),
    path("<int:pk>/deliveries/<int:delivery_id>/redeliver/", views.delivery_redeliver, name="redeliver"),
]
