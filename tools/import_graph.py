"""Print the app -> app import graph (application code only: no tests, no migrations).

    .venv/bin/python tools/import_graph.py [repo root]

Counts every `import` statement, at module level or inside a function, so a lazy import shows
up like any other. `make lint` enforces the layering (import-linter); this prints the picture.
"""

import ast
import sys
from collections import defaultdict
from pathlib import Path

APPS = ("core", "accounts", "journal", "medications", "alerts", "clinic", "teams", "portal")
SKIPPED_DIRS = {"tests", "migrations"}


def imported_modules(tree: ast.AST) -> list[str]:
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return found


def app_graph(root: Path) -> dict[tuple[str, str], int]:
    edges: dict[tuple[str, str], int] = defaultdict(int)
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            if SKIPPED_DIRS & set(path.relative_to(root).parts):
                continue
            for module in imported_modules(ast.parse(path.read_text())):
                target = module.split(".")[0]
                if target in APPS and target != app:
                    edges[(app, target)] += 1
    return dict(edges)


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")
    for (source, target), count in sorted(app_graph(root).items()):
        print(f"{source} -> {target} ({count})")


if __name__ == "__main__":
    main()
