"""``python -m archive``: see archive.cli."""

from archive.cli import main

raise SystemExit(main())
