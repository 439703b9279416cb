"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

import gc

from forum_crm import create_app

app = create_app()
# Everything made while starting (modules, the app, its templates) lives as long as the process: the garbage
# collector need not walk it again on every full collection, which large query results trigger (30% of a built map).
gc.collect()
gc.freeze()
