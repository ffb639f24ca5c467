"""What a kernel records on its own: cells, data fingerprints, environment."""
