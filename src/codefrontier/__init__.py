"""codefrontier: the execution side of code-LLM research."""

# The one place the version is written: pyproject.toml reads it from here (setuptools'
# `dynamic` version), so `codefrontier --version` needs no importlib.metadata.
__version__ = "0.1.0"

__all__ = ["__version__"]
