from django.urls import path

from xiaobao.core.views import accounts, audit, calendar, consumers, home, org, password_reset, search, users

app_name = "core"

urlpatterns = [
    path("", home.home, name="home"),
    path("health", home.health, name="health"),
    path("login/", accounts.login_view, name="login"),
    path("login/2fa/", accounts.login_2fa_view, name="login_2fa"),
    path("logout/", accounts.logout_view, name="logout"),
    # self-service password reset (public: every path under password-reset/)
    path("password-reset/", password_reset.password_reset, name="password_reset"),
    path("password-reset/sent/", password_reset.password_reset_done, name="password_reset_done"),
    path("password-reset/done/", password_reset.password_reset_complete, name="password_reset_complete"),
    # the e-mailed link (?uid=…&token=…: never in a path, which access logs write), then the form
    path("password-reset/link/", password_reset.ResetConfirmView.as_view(), name="password_reset_confirm"),
    path(
        "password-reset/set-password/", password_reset.ResetConfirmView.as_view(), name="password_reset_set"
    ),
    path("account/", accounts.account, name="account"),
    path("account/2fa/", accounts.two_factor_setup, name="two_factor"),
    # organisation
    path("org/", org.tree, name="org_tree"),
    path("org/new/", org.unit_create, name="org_unit_create"),
    path("org/import/", org.unit_import, name="org_unit_import"),
    path("org/<int:pk>/", org.unit_detail, name="org_unit_detail"),
    path("org/<int:pk>/edit/", org.unit_edit, name="org_unit_edit"),
    path("org/<int:pk>/move/", org.unit_move, name="org_unit_move"),
    path("org/<int:pk>/close/", org.unit_close, name="org_unit_close"),
    path("org/<int:pk>/reopen/", org.unit_reopen, name="org_unit_reopen"),
    path("org/<int:pk>/figures/", org.unit_figures, name="org_unit_figures"),
    # users
    path("users/", users.user_list, name="users"),
    path("users/new/", users.user_create, name="user_create"),
    path("users/<int:pk>/", users.user_edit, name="user_edit"),
    path("users/<int:pk>/password/", users.user_password, name="user_password"),
    path(
        "users/<int:pk>/roles/<str:role>/<str:decision>/",
        users.role_request_decide,
        name="role_request_decide",
    ),
    # consumers and the personal-data vault
    path("consumers/", consumers.consumer_list, name="consumers"),
    path("consumers/new/", consumers.consumer_create, name="consumer_create"),
    path("consumers/<int:pk>/", consumers.consumer_detail, name="consumer_detail"),
    path("consumers/<int:pk>/reveal/", consumers.consumer_reveal, name="consumer_reveal"),
    # calendar
    path("calendar/", calendar.calendar_page, name="calendar"),
    path("calendar/overrides/", calendar.override_create, name="calendar_override_create"),
    path("calendar/overrides/<int:pk>/delete/", calendar.override_delete, name="calendar_override_delete"),
    path("calendar/years/", calendar.year_mark, name="calendar_year_mark"),
    # audit
    path("audit/", audit.audit_list, name="audit"),
    path("audit/export/", audit.audit_export, name="audit_export"),
    path("search/", search.search, name="search"),  # the header's global search (POST: query not in the URL)
]
