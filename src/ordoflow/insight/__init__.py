"""KPIs, conformance and process-mining exports over the order event log."""
