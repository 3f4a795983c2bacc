"""``python -m muphilic`` runs the command-line interface."""

from muphilic.cli import main

if __name__ == "__main__":  # not when a worker process (spawn) imports this module
    main()
