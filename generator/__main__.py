"""`python -m generator` runs the `congress` command."""

from generator.cli import main

main()
