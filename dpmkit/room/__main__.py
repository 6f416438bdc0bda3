"""``python -m dpmkit.room --folder DIR``: see :mod:`dpmkit.room.cli`."""

import sys

from .cli import main

sys.exit(main())
