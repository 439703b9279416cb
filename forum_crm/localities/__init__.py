"""Towns (/localities): stored places, found through the gazetteer or added by hand."""
