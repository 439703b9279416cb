"""Organisations (/organisations): the coordinator's list and records, profiles kept by their editors."""
