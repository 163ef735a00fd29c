"""``python -m chatkit_threads_cli``."""

from .main import main

raise SystemExit(main())
