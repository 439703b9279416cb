"""The change log (/changes): recent changes, the review feed of editors' and members' edits, reverts."""
