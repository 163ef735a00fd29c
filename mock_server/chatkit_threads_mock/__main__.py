"""`python -m chatkit_threads_mock` runs the mock server's command line."""

import sys

from .cli import main

sys.exit(main())
