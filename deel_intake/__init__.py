"""deel-intake: capture job-fair candidates and create them in Deel's ATS."""

# Kept in step with pyproject.toml by tests/test_package.py; a literal costs nothing at start-up,
# where importlib.metadata would cost milliseconds and fails in some frozen builds.
__version__ = "0.1.0"

APP_NAME = "deel-intake"
APP_TITLE = "Deel Intake"

__all__ = ["APP_NAME", "APP_TITLE", "__version__"]
