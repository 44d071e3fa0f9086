"""The package version, in one place: pyproject.toml reads it, and so does
``constructs_pinpoint.__version__``."""

__version__ = "0.1.0"
