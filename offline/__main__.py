"""`python -m offline check --stack dev`: the offline plan (and, later, policy) check."""

from offline.cli import main

raise SystemExit(main())
