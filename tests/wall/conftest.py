import pytest

from cases import services as case_services
from tests.wall.case_world import add_cases
from tests.wall.le_world import add_le_records
from tests.wall.mdt_world import add_mdt_records
from tests.wall.report_world import add_exports
from tests.world import TASK_FORCES, World


@pytest.fixture
def wall_world(world: World) -> World:
    """The world plus one case per task force with a second assigned case manager, so that
    'sees the case but not the privileged note' is a real row of the matrix."""
    add_cases(world)
    add_le_records(world)
    add_mdt_records(world)
    add_exports(world)
    for tf in TASK_FORCES:
        case_services.case_assign(
            actor=world.actor(f"{tf}.vs_supervisor"),
            case=world.records[f"{tf}.case"],
            membership=world.memberships[f"{tf}.case_manager_2"],
        )
    return world
