"""The pure model: values, master data, orders and their lifecycles, events, hash-chained logs and
error codes. Imports nothing but the standard library."""
