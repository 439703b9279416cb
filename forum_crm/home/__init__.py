"""The start page (/) of each role."""
