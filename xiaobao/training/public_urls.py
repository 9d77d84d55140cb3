"""Public pages (no login, under /public/training/): the QR sign-in page of a session for staff without an
account (employee number and name, only while the session's sign-in is open)."""

app_name = "training_public"

urlpatterns: list = []
