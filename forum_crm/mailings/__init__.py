"""Mailings to a segment (/mailings): from a filtered list to a message in each recipient's language, with merge
fields, a preview, a test to oneself, exclusions counted with their reasons, per-recipient states, contact
history, and the unsubscribe link."""
