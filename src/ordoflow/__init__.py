"""Ordoflow: a governed order-to-cash backbone for wholesale distributors."""
