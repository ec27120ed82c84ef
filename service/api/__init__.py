"""API: the HTTP face of the service. The FastAPI app and its in-process worker (`app`),
request dependencies and roles (`deps`), body and failed-authentication limits
(`hardening`), streamed uploads (`uploads`), read queries shared by the routes
(`queries`), reviews written in few statements (`reviews`),
the processes of `relato serve --workers N` (`processes`), one module per resource (`routes/`). JSON only: the pages
and the routes that serve them are `service/web/`, whose router the app includes.

May import: storage, review, feed, editions, jobs, quality, web.
"""
