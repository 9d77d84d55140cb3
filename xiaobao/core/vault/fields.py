"""`SealedField`: a text column holding an encrypted personal value.

Reading the attribute gives a `Sealed` object, never the plaintext: `str()` and templates show it masked,
`.reveal()` decrypts (call it only from the audited reveal service or to build an export the user may see).
Assign a plain `str` to store a new value.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from xiaobao.core.vault import crypto
from xiaobao.core.vault.masking import mask


class Sealed:
    __slots__ = ("_masked", "kind", "token")

    def __init__(self, token: str, kind: str) -> None:
        self.token = token
        self.kind = kind
        self._masked: str | None = None

    def reveal(self) -> str:
        return crypto.decrypt(self.token, self.kind) if self.token else ""

    @property
    def masked(self) -> str:
        if self._masked is None:
            self._masked = mask(self.reveal(), self.kind)
        return self._masked

    @property
    def key_id(self) -> str:
        return crypto.key_id_of(self.token)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"<Sealed {self.kind} {self.masked}>"

    def __bool__(self) -> bool:
        return bool(self.token)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other.token == self.token

    def __hash__(self) -> int:
        return hash(self.token)


class SealedField(models.TextField):
    def __init__(self, *args: Any, kind: str = "", **kwargs: Any) -> None:
        self.kind = kind
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Sealed | str:
        if not value:
            return ""
        return Sealed(value, self.kind)

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> str:
        if isinstance(value, Sealed):
            return value.token
        if not value:
            return ""
        return crypto.encrypt(str(value), self.kind)

    def value_to_string(self, obj: Any) -> str:
        value = self.value_from_object(obj)
        return value.masked if isinstance(value, Sealed) else ("" if not value else "[sealed]")
