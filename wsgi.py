"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from forum_crm import create_app, settle_garbage_collector

app = create_app()
settle_garbage_collector()
