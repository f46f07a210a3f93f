"""`python -m generator` runs the `congress` command."""

from .cli import main

main()
