"""``python -m server.cli``: the same as the ``communique`` command."""
from . import main

raise SystemExit(main())
