"""The read-only API for the consortium's website (/api/v1): the public pages' data as JSON."""
