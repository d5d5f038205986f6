"""Editing a workspace: ``importer`` (the new entries of an import plan inserted into profiles)
and ``scaffold`` (a new workspace, a new profile).

Editors sit above the renderers: they use the engine to validate what they write, the analyses
to plan it and the renderers' atomic file writer. Nothing below imports them.
"""
