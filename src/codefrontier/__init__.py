"""codefrontier: the execution side of code-LLM research."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("codefrontier")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
