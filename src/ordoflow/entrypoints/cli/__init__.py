"""The `ordoflow` command line."""
