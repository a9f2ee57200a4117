"""The model's version (pyproject.toml's ``version`` holds the same string; a test keeps them equal)."""

__version__ = "0.1.0"
