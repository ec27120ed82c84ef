"""Web: the pages people open in a browser, and nothing else. It owns the HTML, CSS and ES
modules in `static/` (the review page, the initiative pages, the operator page) and the
routes that serve them as files (`pages`), plus the API's own pages, /docs and /redoc,
from assets that the fastapi-offline package ships. Every page reads and writes through
the JSON API (`service/api/`) with the token the person signs in with, so this package
never touches the database, the extractor or the jobs: the API includes its router, not
the other way round.

May import: nothing (not extractor/).
"""
