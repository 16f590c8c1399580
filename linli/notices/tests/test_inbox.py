"""The inbox page: own notices only, marking read by the recipient only, CSRF on the POSTs, bounded queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import SecondFactorClient
from linli.accounts.choices import Role
from linli.notices.actions import mark_all_read, mark_read, notify
from linli.notices.models import Notice

pytestmark = pytest.mark.django_db


def _client(user: Any, **kwargs: Any) -> SecondFactorClient:
    client = SecondFactorClient(**kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def pair(world: Any) -> tuple[Any, Any]:
    return world.users[Role.RESIDENT], world.outsiders[Role.RESIDENT]


def test_inbox_lists_own_notices_and_no_others(pair: tuple[Any, Any]) -> None:
    mine, theirs = pair
    notify(mine, kind="general", title="我的通知甲")
    notify(theirs, kind="general", title="别人的通知乙")
    response = _client(mine).get(reverse("notices:inbox"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "我的通知甲" in body and "别人的通知乙" not in body
    assert 'id="unread-notices">1<' in body  # the top bar's count


def test_platform_admins_inbox_is_their_own_too(world: Any, pair: tuple[Any, Any]) -> None:
    notify(pair[0], kind="general", title="居民的通知")
    body = _client(world.admin).get(reverse("notices:inbox")).content.decode()
    assert "居民的通知" not in body
    assert Notice.objects.restrict(world.admin).filter(title="居民的通知").exists()  # but may read it (support)


def test_mark_read_refuses_another_users_notice(world: Any, pair: tuple[Any, Any]) -> None:
    mine, theirs = pair
    other = notify(theirs, kind="general", title="别人的")
    with pytest.raises(PermissionDenied):
        mark_read(mine, other)
    with pytest.raises(PermissionDenied):
        mark_read(world.admin, other)  # admins read every inbox but never mark another's notice read
    response = _client(mine).post(reverse("notices:read", args=[other.pk]))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_mark_read_and_mark_all_read(pair: tuple[Any, Any]) -> None:
    mine, theirs = pair
    first = notify(mine, kind="general", title="一", link="/notices/")
    notify(mine, kind="general", title="二")
    untouched = notify(theirs, kind="general", title="三")
    client = _client(mine)
    response = client.post(reverse("notices:read", args=[first.pk]), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/notices/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert mark_all_read(mine) == 1
    assert mark_all_read(mine) == 0
    untouched.refresh_from_db()
    assert untouched.read_at is None
    assert 'id="unread-notices"' not in client.get(reverse("notices:inbox")).content.decode()


def test_the_posts_need_a_csrf_token(pair: tuple[Any, Any]) -> None:
    notice = notify(pair[0], kind="general", title="需要令牌")
    client = _client(pair[0], enforce_csrf_checks=True)
    assert client.post(reverse("notices:read", args=[notice.pk])).status_code == 403
    assert client.post(reverse("notices:read_all")).status_code == 403
    assert client.get(reverse("notices:read_all")).status_code == 405
    notice.refresh_from_db()
    assert notice.read_at is None


def test_inbox_queries_do_not_grow_with_notices(pair: tuple[Any, Any]) -> None:
    mine = pair[0]
    client = _client(mine)
    notify(mine, kind="general", title="起点")
    client.get(reverse("notices:inbox"))  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("notices:inbox")).status_code == 200
    for n in range(40):
        notify(mine, kind="case_update", title=f"通知{n}", body="正文", link=f"/cases/{n}/")
    with CaptureQueriesContext(connection) as many:
        body = client.get(reverse("notices:inbox")).content.decode()
    assert "通知39" in body and "?page=2" in body
    assert len(many) <= len(few) + 1, [q["sql"] for q in many.captured_queries]  # + the paginator's COUNT
    assert len(many) <= 12, [q["sql"] for q in many.captured_queries]
