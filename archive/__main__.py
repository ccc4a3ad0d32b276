"""``python -m archive``: see archive.cli."""

from archive.cli import configure_logging, main

configure_logging()
raise SystemExit(main())
