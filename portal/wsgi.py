import os

from django.core.wsgi import get_wsgi_application

# An empty value counts as unset (setdefault would keep it).
os.environ["DJANGO_SETTINGS_MODULE"] = os.environ.get("DJANGO_SETTINGS_MODULE") or "portal.settings"
application = get_wsgi_application()
