import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# The server's process reads the directory's indexes before its first request asks.
from pagecache.following import start_reading_all  # noqa: E402  (needs the apps loaded)

start_reading_all()
