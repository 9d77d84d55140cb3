from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "xiaobao.core"
    label = "core"
    verbose_name = _("Foundation")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from xiaobao.core import checks, signals  # noqa: F401  (registers checks and auth signal handlers)
        from xiaobao.core.services.roles import roles_sync

        # After every app (not only core): permissions of later apps exist only after their own migrate.
        post_migrate.connect(lambda **kwargs: roles_sync(), weak=False, dispatch_uid="xiaobao_roles_sync")
