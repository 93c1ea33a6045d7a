"""``python -m negotiate``: the same as the ``negotiate`` command."""

import sys

from negotiate.cli import main

sys.exit(main())
