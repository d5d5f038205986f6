"""What users read stays the same, byte for byte, unless a change means it to: each command's
output on the bundled data is compared with the digest recorded when it was last reviewed.

Speed work must leave every digest as it is. A change that moves results on purpose records
the new digests with ``ASSESS_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py`` and says
why in its commit.
"""

import hashlib
import json
import os
from collections.abc import Iterator

import pytest

import assess
from assess import api
from helpers import REPO

GOLDEN = REPO / "tests/fixtures/golden.json"
UPDATE = os.environ.get("ASSESS_UPDATE_GOLDEN") == "1"

CASES = {  # name: (what is computed, format)
    "run 2024": (lambda ws: api.score(ws, 2024), "table"),
    "run 2019 json": (lambda ws: api.score(ws, 2019), "json"),
    "explain MEX": (lambda ws: api.explain(ws, "MEX", 2024), "table"),
    "explain CHN json": (lambda ws: api.explain(ws, "CHN", 2024), "json"),
    "diff 2019 2024": (lambda ws: api.diff_years(ws, 2019, 2024), "table"),
    "diff 2019 2024 json": (lambda ws: api.diff_years(ws, 2019, 2024), "json"),
    "prioritize USA": (lambda ws: api.prioritize(ws, 2024, "USA"), "table"),
    "prioritize USA json": (lambda ws: api.prioritize(ws, 2024, "USA"), "json"),
    "portfolio 20M json": (lambda ws: api.portfolio(ws, 20_000_000, 2024, "USA"), "json"),
    "sensitivity 2000": (lambda ws: api.sensitivity(ws, 2024, samples=2000, seed=3), "table"),
}


@pytest.fixture(scope="module")
def recorded() -> Iterator[dict[str, str]]:
    digests = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}
    yield digests
    if UPDATE:
        GOLDEN.write_text(json.dumps(dict(sorted(digests.items())), indent=2) + "\n")


@pytest.mark.parametrize("name", CASES)
def test_output_is_what_was_reviewed(name: str, shipped_workspace: assess.Workspace, recorded: dict[str, str]):
    compute, fmt = CASES[name]
    digest = hashlib.sha256(api.render(compute(shipped_workspace), fmt).encode()).hexdigest()
    if UPDATE:
        recorded[name] = digest
    assert recorded.get(name) == digest, (
        f"the output of '{name}' changed: if that is meant, record it with ASSESS_UPDATE_GOLDEN=1 and say why")
