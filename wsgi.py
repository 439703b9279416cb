"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from forum_crm import create_app

app = create_app()
