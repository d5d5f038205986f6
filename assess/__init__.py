"""assess: score partner countries' capacity to counter synthetic-drug threats.

The library API, in pipeline order (the CLI is a thin layer over it)::

    import assess
    workspace = assess.load_workspace("rules/synthetic-drugs-2019", "country_profiles")
    result = assess.score(workspace, year=2024)          # an Assessment: every country, traced
    trace = assess.explain(workspace, "MEX", year=2024)  # one country's CountryResult
    ranked = assess.prioritize(workspace, 2024, "USA", budget=5)  # where assistance buys the most
    stability = assess.sensitivity(workspace, 2024, samples=10_000)

Bad input raises ``assess.InputErrors`` listing every problem as ``path:line:col: error: ...``.
"""

__version__ = "0.1.0"

from .errors import AssessError, InputErrors, SourceError, UsageError  # noqa: E402
from .workspace import Workspace, load_workspace  # noqa: E402
from .api import explain, prioritize, score, sensitivity  # noqa: E402

__all__ = ["AssessError", "InputErrors", "SourceError", "UsageError", "Workspace", "load_workspace",
           "score", "explain", "prioritize", "sensitivity", "__version__"]
