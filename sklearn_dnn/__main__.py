"""``python -m sklearn_dnn``: the command line."""

import sys

from .cli import main

sys.exit(main())
