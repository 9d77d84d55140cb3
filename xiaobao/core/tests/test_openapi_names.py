"""OpenAPI names each schema by its class name: two apps' schemas of one name would describe one of them
wrongly in /api/v1/openapi.json (programs outside the repository generate clients from it)."""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


def test_every_api_schema_name_is_used_once():
    # given every schema class of the project's API
    import xiaobao.api  # noqa: F401  (imports every app's router)

    where: dict[str, set[str]] = defaultdict(set)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("xiaobao.") and ".tests." not in cls.__module__:
            where[cls.__name__].add(cls.__module__)
    # then no name is shared by two modules
    shared = {name: sorted(mods) for name, mods in where.items() if len(mods) > 1}
    assert shared == {}
