"""PyInstaller's entry script: the same ``main`` as the ``deel-intake`` command."""

import sys

from deel_intake.cli import main

if __name__ == "__main__":
    sys.exit(main())
