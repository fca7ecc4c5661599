import os

from django.core.wsgi import get_wsgi_application

# An empty value counts as unset (setdefault would keep it).
os.environ["DJANGO_SETTINGS_MODULE"] = os.environ.get("DJANGO_SETTINGS_MODULE") or "portal.settings"
# Web requests: a statement running longer than 10 s is cancelled (then 503) so a hanging
# database cannot hold every web process; workers and manage.py commands keep no limit.
os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "10000")
application = get_wsgi_application()
