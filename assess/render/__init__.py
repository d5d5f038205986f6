"""Turning results into what people and tools read: ``views`` (one View per kind of result),
``formats`` (table, JSON, CSV, Markdown; one module each), ``report`` (the HTML briefing),
``export`` (GraphML, GEXF, node-link JSON, DOT), ``outputs`` (the committed output folders),
``schema`` (JSON Schema for editors) and ``scaffold`` (a new workspace).

Renderers read results from the engine and the analyses; nothing below imports them.
"""
