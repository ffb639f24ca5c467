"""``python -m jupyter_mlops.cli …``: the CLI without its console script."""

from . import main

main(prog_name="jupyter-mlops")
