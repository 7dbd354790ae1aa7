"""``python -m tushuo``: the same command line as the ``tushuo`` script."""

import os
import sys
from pathlib import Path

# ``python -m`` puts the working folder first on sys.path, and tushuo imports modules lazily:
# a spec folder holding openpyxl.py, or reportlab_settings.py (which reportlab imports if it
# exists), ran as code on the first workbook or PDF. tushuo itself is imported by now, so the
# folder comes off the path (as ``python -P`` does), unless it is the checkout tushuo runs from.
if sys.path and sys.path[0] in ("", os.getcwd()) and Path(__file__).resolve().parents[1] != Path.cwd().resolve():
    del sys.path[0]

from .cli import run  # noqa: E402

run()
