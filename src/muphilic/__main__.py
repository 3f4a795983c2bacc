"""``python -m muphilic`` runs the command-line interface."""

from muphilic.cli import main

main()
