import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
application = get_wsgi_application()

# Import every view module now, as the server process starts, rather than inside the first request each
# worker serves (the URLconf pulls in the dispatch engine's libraries: seconds on a busy machine, which the
# first residents would otherwise wait out).
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
