"""``python -m intersystems_pyprod_cli``."""

import sys

from .main import main

sys.exit(main())
