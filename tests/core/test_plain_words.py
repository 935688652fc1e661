"""Plain words on every page a person can reach (issue 12, item 9): no Django placeholder
"---------" in a choice, no inner words like "Envelope" or "Bridge". Each role walks the links
from its home page, within its task force, as a new user would."""

from __future__ import annotations

import re
from collections import deque

import pytest

from tests.wall.case_world import add_cases
from tests.wall.le_world import add_le_records
from tests.wall.mdt_world import add_mdt_records
from tests.world import World

pytestmark = pytest.mark.django_db

ROLES = ("coordinator", "case_manager", "vs_supervisor", "investigator", "prosecutor", "tenant_admin")
PAGES_PER_ROLE = 45
JARGON = ("---------", ">Envelope<", ">Bridge<", "All envelopes")
SKIP = re.compile(r"/(print|export|download|logout)/|\.csv|\.xlsx|/api/")


def _links(html: str) -> list[str]:
    return re.findall(r'href="(/tf/alpha/[^"#?]*)"', html)


@pytest.mark.parametrize("role", ROLES)
def test_no_placeholder_or_jargon_on_any_reachable_page(world: World, role: str) -> None:
    add_cases(world)
    add_le_records(world)
    add_mdt_records(world)
    client = world.client(f"alpha.{role}")
    queue, seen = deque(["/tf/alpha/"]), {"/tf/alpha/"}
    visited = 0
    while queue and visited < PAGES_PER_ROLE:
        path = queue.popleft()
        response = client.get(path)
        visited += 1
        assert response.status_code < 500, path
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        html = response.content.decode()
        for word in JARGON:
            assert word not in html, (role, path, word)
        for link in _links(html):
            if link not in seen and not SKIP.search(link):
                seen.add(link)
                queue.append(link)
    assert visited >= 5, (role, visited)
