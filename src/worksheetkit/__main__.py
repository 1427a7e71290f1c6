"""``python -m worksheetkit`` runs the command line."""

from .cli import main

main()
