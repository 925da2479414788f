"""The pack's layout holds: support never reaches into rules, a rule module imports no other service's
rules, every rule module is listed by the pack, and no module imports itself back through others."""

import ast
from pathlib import Path

import pytest

from cicd_guardrails.pack import POLICY_MODULES

PACKAGE = Path(__file__).resolve().parents[2] / "policies" / "cicd_guardrails"
ROOT = "cicd_guardrails"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """The pack's own modules that `path` imports (a package import counts as its module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(ROOT):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith(ROOT))
    return found & set(MODULES)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}
GRAPH = {name: imports_of(path) for name, path in MODULES.items()}
SUPPORT = sorted(name for name in MODULES if name.startswith(f"{ROOT}.support"))
RULES = sorted(name for name in MODULES if name.startswith(f"{ROOT}.rules."))


@pytest.mark.parametrize("name", SUPPORT)
def test_support_modules_never_import_rules_or_the_pack(name):
    reached = {m for m in GRAPH[name] if m.startswith((f"{ROOT}.rules", f"{ROOT}.pack"))}
    assert not reached, f"{name} imports {sorted(reached)}"


@pytest.mark.parametrize("name", RULES)
def test_rule_modules_import_only_support_and_their_own_service(name):
    service = ".".join(name.split(".")[:3])  # cicd_guardrails.rules.<service>
    foreign = {
        m for m in GRAPH[name] if m.startswith(f"{ROOT}.rules") and not m.startswith(service)
    }
    assert not foreign, f"{name} imports {sorted(foreign)}"


def test_every_module_that_declares_policies_is_in_the_pack():
    declaring = {
        name
        for name, path in MODULES.items()
        if any(
            isinstance(node, ast.Assign)
            and any(getattr(target, "id", "") == "POLICIES" for target in node.targets)
            for node in ast.parse(path.read_text()).body
        )
    }
    assert declaring == set(POLICY_MODULES)


def test_no_import_cycle():
    def visit(name: str, path: tuple[str, ...]) -> None:
        for imported in GRAPH[name]:
            assert imported not in path, " -> ".join((*path, imported))
            visit(imported, (*path, imported))

    for name in MODULES:
        visit(name, (name,))
