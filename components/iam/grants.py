"""A service role as its user declares it: who assumes it and which statements it needs.

Each stage module (and each deploy target) exports the `RoleGrants` of the role it runs as, or the
statements it adds to a shared role; `service_roles.ServiceRoles` only declares what it is given, so
adding an action touches the one module that needs it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from components.iam.documents import policy_document

Statement = dict[str, Any]


@dataclass(frozen=True)
class RoleGrants:
    """One service role: its purpose (`build`, `deploy`, `pipeline`, `events`), trust and rights."""

    purpose: str
    trust_policy: str
    statements: Sequence[Statement]

    @property
    def policy(self) -> str:
        """The role's inline policy document."""
        return policy_document(self.statements)
