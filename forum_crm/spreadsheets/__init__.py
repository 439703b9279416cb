"""Spreadsheet columns and writers shared by the imports and every export (CSV and XLSX)."""
