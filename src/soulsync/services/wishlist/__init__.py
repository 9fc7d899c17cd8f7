"""Tracks a run could not get, kept for correction and scheduled retries."""
