from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xiaobao.casework import registry
from xiaobao.core.demo import DEMO_PASSWORD, demo_load
from xiaobao.core.models import OrgUnit, User
from xiaobao.core.roles import role_name


class Command(BaseCommand):
    help = (
        "Load the synthetic demo bank, then each module's demo data (a year of complaints, …), once each, "
        "and print the demo logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=20261123)
        for reg in registry.modules():  # each module's own options (e.g. --complaints N)
            if reg.module.demo_arguments:
                registry.resolve(reg.module.demo_arguments)(parser)

    def handle(self, *args: Any, **opts: Any) -> None:
        if OrgUnit.objects.filter(code="HO").exists():
            self.stdout.write("Demo bank already loaded.")
        else:
            demo_load(seed=opts["seed"])
            self.stdout.write(self.style.SUCCESS("Demo bank loaded."))
        for reg in registry.modules():  # in module order: complaints before what reads them
            if reg.module.demo:
                registry.resolve(reg.module.demo)(self, **opts)
        logins = [
            (
                u.username,
                ", ".join(role_name(c) for c in u.role_codes),
                u.org_unit.name if u.org_unit else "-",
            )
            for u in User.objects.filter(is_service=False)
            .select_related("org_unit")
            .prefetch_related("groups")
            .order_by("pk")
        ]
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})\n")
        for username, role, unit in logins:
            self.stdout.write(f"  {username:<22} {role:<28} {unit}")
