"""Use cases: commands, ports, handlers, the message bus and read queries."""
