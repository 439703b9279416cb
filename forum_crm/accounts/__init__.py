"""Accounts (/accounts): the coordinator's list of who may log in, in which role; invitations."""
