"""The operator's access file: which signed-in people get which role.

A TOML file the operator keeps beside the source configuration (``access.toml``) or
names in ``TR_ACCESS_FILE``::

    [users."ana@example.com"]          # by email (or the identity provider's ``sub``)
    role = "analyst"

    [users."maria@example.com"]
    role = "manager"
    employee_id = "E000095"            # her own record: her hierarchy starts here

    [claims]                           # or from the identity provider's claims
    role_claim = "groups"              # a claim holding a group name or a list of them
    employee_id_claim = "employee_id"  # a claim holding the person's employee id
    [claims.roles]
    "talent-admins" = "admin"
    "hr-business-partners" = "hr"

A user entry wins over claims; among several matching groups the most powerful role wins
(admin, hr, analyst, manager, employee). Someone with no entry and no matching claim has
no role and sees nothing.

Example
-------
>>> rules = AccessRules.from_dict({"users": {"a@x": {"role": "hr"}},
...                                "claims": {"role_claim": "groups", "roles": {"mgrs": "manager"}}})
>>> rules.resolve({"email": "a@x"})
('hr', None)
>>> rules.resolve({"email": "b@x", "groups": ["mgrs"], "employee_id": "E7"})
('manager', None)
>>> rules.resolve({"email": "c@x"}) is None
True
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from data_sources.errors import SourceError

#: Roles from most to least powerful (the order used when several groups match).
ROLE_ORDER: tuple[str, ...] = ("admin", "hr", "analyst", "manager", "employee")
ACCESS_FILE_ENV = "TR_ACCESS_FILE"
ACCESS_FILE_NAME = "access.toml"
ERR_ACCESS_FILE = "Access file {file}: {detail}"
ERR_ACCESS_ROLE = "user {user!r} has role {role!r}; expected one of: {known}"
ERR_ACCESS_KEYS = "unknown key {key!r} in [{section}]; expected one of: {known}"


@dataclass(frozen=True)
class AccessRules:
    """Who gets which role: explicit users, then identity-provider claims."""

    users: Mapping[str, tuple[str, str | None]] = field(default_factory=lambda: MappingProxyType({}))
    role_claim: str | None = None
    employee_id_claim: str | None = None
    claim_roles: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AccessRules:
        """Build from a parsed access file; unknown keys and roles are errors (``ValueError``)."""
        _known(data, "top level", ("users", "claims"))
        users: dict[str, tuple[str, str | None]] = {}
        for user, entry in (data.get("users") or {}).items():
            if not isinstance(entry, Mapping):
                raise ValueError(f"[users.{user!r}] must be a table with a role")
            _known(entry, f"users.{user}", ("role", "employee_id"))
            role = entry.get("role")
            if role not in ROLE_ORDER:
                raise ValueError(ERR_ACCESS_ROLE.format(user=user, role=role, known=", ".join(ROLE_ORDER)))
            employee = entry.get("employee_id")
            users[str(user).lower()] = (str(role), None if employee is None else str(employee))
        claims = data.get("claims") or {}
        _known(claims, "claims", ("role_claim", "employee_id_claim", "roles"))
        mapping = {str(k): str(v) for k, v in (claims.get("roles") or {}).items()}
        for group, role in mapping.items():
            if role not in ROLE_ORDER:
                raise ValueError(ERR_ACCESS_ROLE.format(user=group, role=role, known=", ".join(ROLE_ORDER)))
        return cls(
            users=MappingProxyType(users),
            role_claim=claims.get("role_claim"),
            employee_id_claim=claims.get("employee_id_claim"),
            claim_roles=MappingProxyType(mapping),
        )

    @classmethod
    def from_toml(cls, path: str | Path) -> AccessRules:
        """Read an access file; any problem is one ``SourceError`` line naming it."""
        try:
            with open(path, "rb") as fh:
                return cls.from_dict(tomllib.load(fh))
        except FileNotFoundError as exc:
            raise SourceError(ERR_ACCESS_FILE.format(file=path, detail="no such file")) from exc
        except (OSError, tomllib.TOMLDecodeError, ValueError, TypeError) as exc:
            raise SourceError(ERR_ACCESS_FILE.format(file=path, detail=exc)) from exc

    def resolve(self, claims: Mapping[str, Any]) -> tuple[str, str | None] | None:
        """(role, employee id) for a signed-in identity's claims, or None when it has no role.

        The employee id comes from the user entry, else the configured claim (for a
        claim-mapped role)."""
        for key in ("email", "sub"):
            value = claims.get(key)
            if isinstance(value, str) and value.lower() in self.users:
                return self.users[value.lower()]
        if self.role_claim is None:
            return None
        raw = claims.get(self.role_claim)
        groups = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list | tuple) else []
        roles = {self.claim_roles[g] for g in groups if isinstance(g, str) and g in self.claim_roles}
        if not roles:
            return None
        role = min(roles, key=ROLE_ORDER.index)
        employee = claims.get(self.employee_id_claim) if self.employee_id_claim else None
        return role, employee if isinstance(employee, str) else None


def _known(data: Mapping[str, Any], section: str, keys: tuple[str, ...]) -> None:
    unknown = sorted(set(data) - set(keys))
    if unknown:
        raise ValueError(ERR_ACCESS_KEYS.format(key=unknown[0], section=section, known=", ".join(keys)))
