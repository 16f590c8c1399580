import pytest

from linli.accounts.actions import create_user
from linli.accounts.choices import Role
from linli.accounts.models import User
from linli.people.tests.conftest import houses, keeper  # noqa: F401  (the registry's fixtures, for the edit pages)
from linli.places import validation


@pytest.fixture
def admin_user_for_hypothesis(db, monkeypatch):
    # Free-form codes ("T1") for random trees: the code format rules are tested elsewhere.
    monkeypatch.setattr(validation, "check_code", lambda code, level: None)
    monkeypatch.setattr(validation, "PARENT_PREFIX", {})
    return User.objects.filter(username="hyp").first() or create_user(
        None, username="hyp", role=Role.PLATFORM_ADMIN, superuser=True
    )
