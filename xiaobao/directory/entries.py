"""What Xiaobao reads from a directory entry (plain data: no python-ldap), and a refused sign-in."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entry:
    username: str
    dn: str
    name: str = ""
    email: str = ""
    unit_code: str = ""
    group_dns: list[str] = field(default_factory=list)
    disabled: bool = False


class Refused(Exception):
    """A sign-in the directory allows but Xiaobao cannot take (unknown unit, invalid data)."""

    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.code = code
