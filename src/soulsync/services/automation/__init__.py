"""Automation: scheduled playlist syncs, the artist watchlist and webhook notifications."""
