"""`python -m offline …`: a synonym of the `iamtiers` command."""

from offline.cli import main

raise SystemExit(main())
