"""Thin translators from I/O to commands and queries."""
