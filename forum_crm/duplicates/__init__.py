"""Likely duplicate people and organisations: finding them, marking pairs that are not, merging people."""
