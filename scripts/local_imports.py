"""Imports of our own modules inside functions, which hide the dependency graph from readers and tools.

    python scripts/local_imports.py            # list them and their count
    python scripts/local_imports.py --check    # also fail when one has no reason written beside it

The house rule (docs/architecture.md): such an import is allowed only with its reason in a comment on
the same line or the line above (an import cycle it breaks, the app registry not being ready, a heavy
optional dependency), and the tree keeps fewer than 20.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ("core", "accounts", "notes", "feeds", "notifications", "translation", "review", "api", "web", "demo")
LIMIT = 20


def own(module: str | None) -> bool:
    return bool(module) and module.split(".")[0] in APPS  # type: ignore[union-attr]


def local_imports(path: Path) -> list[tuple[int, str, bool]]:
    source = path.read_text()
    lines = source.splitlines()
    found: list[tuple[int, str, bool]] = []

    def visit(node: ast.AST, inside: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = inside or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if inside and isinstance(child, ast.Import | ast.ImportFrom):
                names = [child.module] if isinstance(child, ast.ImportFrom) else [a.name for a in child.names]
                if isinstance(child, ast.ImportFrom) and child.level:
                    names = [f"{path.parent.name}.{child.module or ''}"]
                for name in names:
                    if own(name):
                        here = lines[child.lineno - 1]
                        above = lines[child.lineno - 2].strip() if child.lineno > 1 else ""
                        reasoned = "#" in here or above.startswith("#")
                        found.append((child.lineno, str(name), reasoned))
            visit(child, nested)

    visit(ast.parse(source), False)
    return found


def main() -> int:
    rows = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            rows += [(path.relative_to(ROOT), *row) for row in local_imports(path)]
    for path, line, name, reasoned in rows:
        print(f"{path}:{line}: {name}{'' if reasoned else '   <- no reason written'}")
    missing = [r for r in rows if not r[3]]
    print(f"{len(rows)} function-level imports of our own modules ({len(missing)} without a reason; limit {LIMIT})")
    if "--check" in sys.argv and (missing or len(rows) >= LIMIT):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
