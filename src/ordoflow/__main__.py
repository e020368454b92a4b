"""`python -m ordoflow` runs the command line."""

from ordoflow.entrypoints.cli.app import main

main()
