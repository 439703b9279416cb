"""Places and maps: the gazetteer of Polish places and, later, the member map."""
