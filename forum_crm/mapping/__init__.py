"""The member map (/map) and the gazetteer of Polish places it and the towns rely on."""
