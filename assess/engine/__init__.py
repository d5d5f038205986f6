"""The scoring pipeline, one module per stage, in the order data flows through it.

``reader`` (strict YAML) -> ``validate`` (models, cross-references) -> ``workspace`` (a loaded,
consistent rule set and profiles) -> ``compile`` (a program of closures) -> ``evaluate``
(facts as of a year, rule scores, traces) -> ``aggregate`` (rule -> criterion -> goal ->
overall) -> ``results``. The file formats are the pydantic models in ``models``; each fact type
(``facttypes``), condition (``conditions``) and scoring kind (``scorings``) has one home; a kind
is checked complete and registered where it is defined (``kinds``).
Nothing here imports from ``assess.analysis`` or ``assess.render``.
"""
