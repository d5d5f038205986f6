"""The package's layers import in one direction only: cli -> api -> edit -> render -> analysis -> engine.

Checked on the source (every import statement, including those inside functions), so a
shortcut added anywhere fails here with the module and the import that broke the rule.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "assess"
# what each layer may import from the package (besides itself and the shared base modules)
BASE = {"assess.errors", "assess.version"}
ALLOWED = {
    "engine": {"engine"},
    "analysis": {"engine", "analysis", "testing"},
    "render": {"engine", "analysis", "render"},
    "edit": {"engine", "analysis", "render", "edit"},
}


def imports_of(path: Path) -> list[str]:
    """Absolute names of the package modules a file imports."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found += [name] if node.module else [f"{name}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return [name for name in found if name == "assess" or name.startswith("assess.")]


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layers_import_downwards_only(layer: str):
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for name in imports_of(path):
            if name in BASE:
                continue
            target = name.split(".")[1] if "." in name else ""
            assert target in ALLOWED[layer], f"{path.relative_to(PACKAGE.parent)} imports {name}"


def test_cli_imports_only_the_api():
    names = set(imports_of(PACKAGE / "cli.py"))
    assert names <= {"assess.api"} | BASE, names


def test_nothing_below_the_api_imports_it():
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name in ("api.py", "cli.py", "__init__.py", "__main__.py") and path.parent == PACKAGE:
            continue
        assert not {"assess.api", "assess.cli"} & set(imports_of(path)), path
