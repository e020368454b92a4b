"""Process templates, variants and decision tables (grown by the governed-process work)."""
