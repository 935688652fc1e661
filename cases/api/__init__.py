"""The victim-services REST API (mounted under /api/v1/tf/<slug>/)."""
