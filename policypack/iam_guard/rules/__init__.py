"""One module per rule; each exposes `POLICY`."""
