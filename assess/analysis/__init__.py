"""Analyses of scored results: ``check`` (findings), ``diff`` (attributed moves), ``network`` and
``prioritize`` (where assistance buys the most), ``sensitivity`` (rank stability),
``properties`` (property tests of a rule set) and ``gitrules`` (a rule set at a git revision).

Analyses read the engine's results and models; they never import ``assess.render``.
"""
