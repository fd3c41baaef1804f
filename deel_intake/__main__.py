import sys

from deel_intake.cli import main

sys.exit(main())
