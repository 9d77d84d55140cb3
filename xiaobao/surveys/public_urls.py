"""Public survey pages (no login, under /public/surveys/): answer a survey from its link or QR code."""

app_name = "surveys_public"

urlpatterns: list = []
