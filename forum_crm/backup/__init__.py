"""Backups: `flask --app wsgi backup create|restore|list|prune` (see docs/deploy.md). No pages.

A backup is one tar file: manifest.json (format, time, database kind, schema revision, rows per table,
SHA-256 of every other member), the database (an SQLite copy made with the online backup API, or a
`pg_dump -Fc` archive) and instance/secret_key when the key lives there.
"""
