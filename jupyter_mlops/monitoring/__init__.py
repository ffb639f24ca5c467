"""Drift monitoring: statistics, reference profiles, reports (data and concept drift)."""
