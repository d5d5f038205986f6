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
from .errors import AssessError, InputErrors, OutputError, SourceError, UsageError
from .version import __version__

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
