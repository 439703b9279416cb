"""People (/people): the coordinator's list and records, affiliations (who works where), exports."""
