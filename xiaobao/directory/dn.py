"""Distinguished names without python-ldap: syntax check and the normal form the mapping table compares.

RFC 4514 in the part a group DN uses: RDNs separated by unescaped commas, each `attribute=value` (several
joined by `+`), the attribute a name or a dotted OID, the value with `\\,` style escapes. The normal form
lower-cases attributes and values and drops the spaces around separators, so `CN=Staff, OU=Groups,...`
and `cn=staff,ou=groups,...` are one group (directories compare these attributes case-insensitively)."""

from __future__ import annotations

import re

_ATTR = re.compile(r"^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)+)$")


def _split(text: str, sep: str) -> list[str]:
    parts, current, escaped = [], [], False
    for ch in text:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            current.append(ch)
            escaped = True
        elif ch == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    if escaped:
        raise ValueError("dangling escape")
    parts.append("".join(current))
    return parts


def parse(dn: str) -> list[list[tuple[str, str]]]:
    """The DN's RDNs as lists of (attribute, value); ValueError when it is not a DN."""
    dn = dn.strip()
    if not dn or "\x00" in dn:
        raise ValueError("empty")
    rdns = []
    for rdn in _split(dn, ","):
        pairs = []
        for ava in _split(rdn, "+"):
            attr, eq, value = ava.partition("=")
            attr, value = attr.strip(), value.strip()
            if not eq or not _ATTR.match(attr) or not value:
                raise ValueError(ava)
            pairs.append((attr, value))
        rdns.append(pairs)
    return rdns


def is_dn(dn: str) -> bool:
    try:
        parse(dn)
    except ValueError:
        return False
    return True


def normalize(dn: str) -> str:
    """The form DNs are compared in (ValueError when not a DN)."""
    return ",".join("+".join(sorted(f"{a.lower()}={v.lower()}" for a, v in rdn)) for rdn in parse(dn))


def is_group_id(value: str) -> bool:
    """A directory group as mappings name it: an LDAP DN (anything with "=" must parse as one), or an OpenID
    provider's group name, path or id (printable, no "=")."""
    value = value.strip()
    if not value or any(ord(ch) < 32 for ch in value):
        return False
    return is_dn(value) if "=" in value else True


def normalize_or_raw(dn: str) -> str:
    try:
        return normalize(dn)
    except ValueError:
        return dn.strip().lower()
