"""The example app of constructs_pinpoint: per-environment stages and the pipeline deploying them.

``app.py`` at the repository root calls :func:`example.app.build_app`; what it builds depends on
the ``env`` context key (see ``docs/environments.md``).
"""
