import pytest

from tests.conftest import World


@pytest.fixture
def world(shared_world: World, db) -> World:
    """The API tests only read (or change things inside their own savepoint), so they share
    one world per module instead of building it again, passwords and all, for every test."""
    return shared_world


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]
