"""assess: score partner countries' capacity to counter synthetic-drug threats.

The library API is ``assess.api`` (the CLI is a thin layer over it); its main functions are
re-exported here::

    import assess
    workspace = assess.load_workspace("rules/synthetic-drugs-2019", "country_profiles")
    result = assess.score(workspace, year=2024)          # an Assessment: every country, traced
    trace = assess.explain(workspace, "MEX", year=2024)  # one country's CountryResult
    ranked = assess.prioritize(workspace, 2024, "USA", budget=5)  # where assistance buys the most
    stability = assess.sensitivity(workspace, 2024, samples=10_000)
    print(assess.render(result, "markdown"))

Bad input raises ``assess.InputErrors`` listing every problem as ``path:line:col: error: ...``.
"""

from typing import TYPE_CHECKING, Any

from . import render as _renderers  # noqa: F401
from .errors import AssessError, InputErrors, OutputError, SourceError, UsageError
from .version import __version__

# ``assess.render`` is the API's function, not the subpackage of renderers: the subpackage (a
# docstring) is imported above and its name taken back, so that importing it later, lazily, cannot
# put the module where the function is looked up
globals().pop("render")

if TYPE_CHECKING:
    from .api import (
        Assessment,
        CountryResult,
        Workspace,
        check,
        check_properties,
        diff_outputs,
        diff_rules,
        diff_years,
        explain,
        graph,
        load_workspace,
        prioritize,
        render,
        report,
        score,
        sensitivity,
    )
else:
    def __getattr__(name: str) -> Any:
        """The API's functions and classes, imported when first used: ``python -m assess --help``
        imports the package without the engine."""
        if name in _FROM_API:
            from . import api

            return getattr(api, name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AssessError",
    "Assessment",
    "CountryResult",
    "InputErrors",
    "OutputError",
    "SourceError",
    "UsageError",
    "Workspace",
    "__version__",
    "check",
    "check_properties",
    "diff_outputs",
    "diff_rules",
    "diff_years",
    "explain",
    "graph",
    "load_workspace",
    "prioritize",
    "render",
    "report",
    "score",
    "sensitivity",
]
_FROM_API = frozenset(__all__) - {"AssessError", "InputErrors", "OutputError", "SourceError", "UsageError", "__version__"}
