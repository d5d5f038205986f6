"""Every command over every registered kind. Each fact type's example fact is scored by the example
of every scoring kind that can score it (``helpers.kind_workspace``), so a kind is covered here by
being defined: the test names come from the registries."""

from pathlib import Path

import pytest

from assess.engine.facttypes import FACT_TYPES
from assess.engine.scorings import SCORING_KINDS
from helpers import every_command, invoke, kind_workspace


@pytest.mark.parametrize("type_name", list(FACT_TYPES))
def test_every_command_runs_over_every_kind(tmp_path: Path, type_name: str):
    root = kind_workspace(tmp_path, type_name)
    for args in every_command(root):
        result = invoke(*args)  # the engine's own exceptions propagate: a kind's bug fails here, with its traceback
        assert result.exit_code == 0, f"assess {' '.join(args)}: exit {result.exit_code}\n{result.output}"


@pytest.mark.parametrize("key", list(SCORING_KINDS))
def test_every_scoring_kind_scores_some_fact_type(key: str):
    examples = [SCORING_KINDS[key].example("x", kind.model_validate(kind.example())) for kind in FACT_TYPES.values()]
    assert any(example is not None for example in examples)
