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

        post_migrate.connect(lambda **kwargs: roles_sync(), sender=self, weak=False)
