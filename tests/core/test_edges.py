"""The doorway guard proves itself: a raw fetch planted in a throwaway module of each kind of
edge is caught by the same checker ``test_structure`` runs over the real apps."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.edges import APPS, ROOT, edge_modules, is_edge, offences

# One throwaway module per kind of edge, named as the real ones are.
EDGE_KINDS = [
    "referrals/views_le.py",
    "cases/correction_views.py",
    "referrals/forms_bridge.py",
    "referrals/home_le.py",
    "referrals/public.py",
    "signin/tenant_urls.py",
    "mdt/tasks.py",
    "mdt/reminders.py",
    "reporting/api/views.py",
    "signin/api.py",
    "cases/templatetags/case_tags.py",
    "referrals/management/commands/rebuild.py",
    "taskforce/endpoints.py",
    "cases/api/serializers.py",
]

PLANTED = {
    "get": 'Referral.objects.get(pk=request.GET["id"])',
    "default manager": "Referral._default_manager.filter(pk=pk).first()",
    "raw": 'Referral.objects.raw("SELECT * FROM referrals_referral")',
    "extra": 'visible_referrals(actor).extra(where=["1 = 1"])',
    "cursor": 'connection.cursor().execute("SELECT * FROM referrals_referral")',
    "execute": 'cursor.execute("SELECT * FROM referrals_referral")',
    "get_object_or_404": 'get_object_or_404(Referral, pk=request.GET["id"])',
    "shortcuts.get_list_or_404": "shortcuts.get_list_or_404(Referral)",
    "RawSQL": 'visible_referrals(actor).annotate(n=RawSQL("SELECT 1", []))',
}


def _plant(root: Path, relative: str, line: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"def sneaky(request, actor, cursor, pk):\n    return {line}\n")
    return path


@pytest.mark.parametrize("relative", EDGE_KINDS)
@pytest.mark.parametrize("kind", PLANTED)
def test_a_planted_fetch_in_each_kind_of_edge_is_caught(tmp_path: Path, relative: str, kind: str) -> None:
    planted = _plant(tmp_path, relative, PLANTED[kind])
    assert planted in set(edge_modules(tmp_path)), relative
    assert {line for line, _expr in offences(planted)} == {2}, kind


def test_doorway_calls_and_placeholders_pass(tmp_path: Path) -> None:
    clean = _plant(tmp_path, "referrals/views_le.py", "access_referral(actor, pk) or Consent.objects.none()")
    assert offences(clean) == []


@pytest.mark.parametrize(
    "relative", ["referrals/services.py", "cases/policies.py", "mdt/migrations/0001_x.py"]
)
def test_doorway_and_migration_modules_are_not_edges(relative: str) -> None:
    assert not is_edge(Path(relative))


def test_the_modules_the_name_list_missed_are_now_checked() -> None:
    checked = {str(path.relative_to(ROOT)) for path in edge_modules(ROOT)}
    for relative in (
        "referrals/views_le.py",
        "referrals/views_bridge.py",
        "referrals/views_certifications.py",
        "referrals/views_connections.py",
        "referrals/forms_le.py",
        "referrals/forms_bridge.py",
        "referrals/public.py",
        "referrals/home_le.py",
        "referrals/home_bridge.py",
        "cases/home.py",
        "mdt/reminders.py",
        "signin/views.py",
    ):
        assert relative in checked, relative
    assert {path.relative_to(ROOT).parts[0] for path in edge_modules(ROOT)} == set(APPS)
