"""The outbox: e-mails queued with the change that causes them, sent by `flask send-mail`, shown to the coordinator.

The blueprint lives in routes.py, not here: other packages import outbox.services, and loading the
views from here would make that import load auth's views, which import forum_crm.mail, which imports
outbox.services (a cycle).
"""
