"""Experiments on the Tenant Trust model: runs, replications, comparisons and the CLI."""
