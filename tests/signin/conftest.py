from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    # Throttle counts live in the (possibly shared Redis) cache: start and end each test clean.
    cache.clear()
    yield
    cache.clear()
