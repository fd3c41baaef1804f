"""``python -m deel_intake.standin``: serve the stand-in until Ctrl+C or SIGTERM."""

from deel_intake.standin.cli import main

raise SystemExit(main())
