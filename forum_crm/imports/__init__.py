"""Spreadsheet imports (/imports): organisations, people and an edition's attendance lists."""
