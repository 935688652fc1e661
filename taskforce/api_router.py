"""The router for tenant resources. Domain apps register their viewsets on ``router``.

UUID path converters: a malformed id is a 404 from the resolver, never a 500 from the database.
"""

from rest_framework.routers import SimpleRouter


class TenantRouter(SimpleRouter):
    def __init__(self) -> None:
        super().__init__(trailing_slash=True, use_regex_path=False)
