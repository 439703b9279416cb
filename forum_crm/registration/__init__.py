"""Registration for an edition: the coordinator's settings, invitations and answers; each person's personal link.

The blueprint lives in routes.py (see outbox/__init__.py for why packages keep it out of __init__).
"""
