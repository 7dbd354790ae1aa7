"""``python -m tushuo``: the same command line as the ``tushuo`` script."""

from .cli import run

run()
