"""Reports (/reports): read-only numbers about the network and their renderings."""
