"""Data protection (/gdpr): a person's data as one download (Art. 15 and 20), erasure by anonymisation (Art. 17),
erasure requests, the retention of inactive people, and the privacy notice. Where a person's data lives is
listed once, in places.py."""
