"""What users read stays the same unless a change means it to: each command's output on the
bundled data is compared with the digest recorded when it was last reviewed.

Tables (what a person reads: published, rounded values) are compared byte for byte. JSON is
compared with every float at 9 significant digits (a relative tolerance of about 5e-10), so a
faster design may change full-precision floats in their last bits; anything published, and every
float to 9 digits, must stay. A change that moves results on purpose records the new digests
with ``ASSESS_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py`` and says why in its commit.
"""

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

import assess
from assess import api
from helpers import REPO

GOLDEN = REPO / "tests/fixtures/golden.json"
UPDATE = os.environ.get("ASSESS_UPDATE_GOLDEN") == "1"

CASES = {  # what is computed, once, and each digest recorded of it: {digest name: format}
    "run 2024": (lambda ws: api.score(ws, 2024), {"run 2024": "table"}),
    "run 2019": (lambda ws: api.score(ws, 2019), {"run 2019 json": "json"}),
    "explain MEX": (lambda ws: api.explain(ws, "MEX", 2024), {"explain MEX": "table"}),
    "explain CHN": (lambda ws: api.explain(ws, "CHN", 2024), {"explain CHN json": "json"}),
    "diff 2019 2024": (lambda ws: api.diff_years(ws, 2019, 2024), {"diff 2019 2024": "table", "diff 2019 2024 json": "json"}),
    "prioritize USA": (lambda ws: api.prioritize(ws, 2024, "USA"), {"prioritize USA": "table", "prioritize USA json": "json"}),
    "portfolio 20M": (lambda ws: api.portfolio(ws, 20_000_000, 2024, "USA"), {"portfolio 20M json": "json"}),
    "sensitivity 2000": (lambda ws: api.sensitivity(ws, 2024, samples=2000, seed=3), {"sensitivity 2000": "table"}),
}


@pytest.fixture(scope="module")
def recorded() -> Iterator[dict[str, str]]:
    digests = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}
    updated: dict[str, str] = {}
    yield digests if not UPDATE else updated
    if UPDATE and updated:  # several test processes may record at once: merge under a lock
        with open(GOLDEN.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            current = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}
            GOLDEN.write_text(json.dumps(dict(sorted({**current, **updated}.items())), indent=2) + "\n")


def _nine_digits(value: Any) -> Any:
    """The JSON value with every float at 9 significant digits (the golden tolerance for floats)."""
    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, dict):
        return {key: _nine_digits(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_nine_digits(item) for item in value]
    return value


def digest_of(text: str, fmt: str) -> str:
    if fmt == "json":
        text = json.dumps(_nine_digits(json.loads(text)), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def test_floats_differing_in_their_last_bits_give_the_same_digest_and_published_values_do_not():
    assert digest_of('{"a": 0.1234567891234567}', "json") == digest_of('{"a": 0.1234567891234568}', "json")
    assert digest_of('{"a": 0.12345679}', "json") != digest_of('{"a": 0.12345678}', "json")
    assert digest_of("MEX 73.7", "table") != digest_of("MEX 73.8", "table")


@pytest.mark.parametrize("name", CASES)
def test_output_is_what_was_reviewed(name: str, shipped_workspace: assess.Workspace, recorded: dict[str, str]):
    compute, formats = CASES[name]
    result = compute(shipped_workspace)
    for digest_name, fmt in formats.items():
        digest = digest_of(api.render(result, fmt), fmt)
        if UPDATE:
            recorded[digest_name] = digest
        assert recorded.get(digest_name) == digest, (
            f"the output of '{digest_name}' changed: if that is meant, record it with ASSESS_UPDATE_GOLDEN=1 and say why")
