from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module, Nav

MANAGE = "directory.manage_groupmapping"


class DirectoryConfig(AppConfig):
    """LDAP / Active Directory sign-in: bind, user search, attributes to name, e-mail and unit, directory
    groups to roles (a mapping table administrators edit), accounts created and deactivated as the
    directory says."""

    name = "xiaobao.directory"
    label = "directory"
    verbose_name = _("Directory sign-in")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[Nav("directory:index", _("Directory sign-in"), MANAGE, order=60, group="admin")],
        roles={"sysadmin": [MANAGE]},
        periodic=["xiaobao.directory.services.periodic_sync"],
        demo="xiaobao.directory.demo.load",
        order=60,
    )
