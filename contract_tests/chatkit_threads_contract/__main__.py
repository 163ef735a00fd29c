"""`python -m chatkit_threads_contract`: the same as `chatkit-threads-contract`."""

import sys

from .cli import main

sys.exit(main())
