app_name = "special_services"

urlpatterns: list = []
