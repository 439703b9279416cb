"""Forum editions (/editions): programme, panels, partners, participants and the door check-in."""
