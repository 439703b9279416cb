"""Demo data kept apart from real data: how much there is (the banner on every page) and removing all of it."""
