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


HEAVY = ("matplotlib", "scipy", "networkx", "openpyxl", "jinja2", "pandas", "hypothesis", "country_converter", "ruamel")


def _imported_by(statement: str) -> set[str]:
    """The top-level modules a fresh interpreter holds after ``statement``."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", f"{statement}\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
                          capture_output=True, text=True, check=True, cwd=PACKAGE.parent)
    return {name.split(".")[0] for name in done.stdout.split()}


def test_the_command_line_imports_no_heavy_library():
    """Plotting, graphs, sparse solvers, spreadsheets, templates, data frames and property testing
    are imported by the functions that use them, not when the command line starts."""
    assert not _imported_by("import assess.cli") & set(HEAVY)


def test_the_command_line_starts_without_the_engine():
    """``assess --help`` needs click alone: the engine (pydantic models, NumPy) comes with the first
    function that loads or scores a workspace."""
    imported = _imported_by("import assess.cli")
    assert not imported & {"numpy", "pydantic", "yaml"}, imported & {"numpy", "pydantic", "yaml"}


def test_the_schema_kinds_the_command_line_offers_are_the_models():
    from assess import api
    from assess.render.schema import KINDS

    assert tuple(KINDS) == api.SCHEMA_KINDS


def test_loading_and_writing_start_without_worker_processes():
    """The workers' machinery is imported only when thousands of files are worth spreading."""
    assert "multiprocessing" not in _imported_by("import assess.engine.workspace, assess.render.outputs")
