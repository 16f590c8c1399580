"""The time bank's pages: the resident's own page and forms, the staff's community page, statements whose
figures are the entries' sums, the certificate and its public check, stored text kept inert on pages and in
Excel, and a movements list whose query count does not grow with its rows."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import SecondFactorClient
from linli.tests.hostile import HOSTILE_SHORT
from linli.timebank import statements
from linli.timebank.actions import award_points, credit_service_hours, reverse_transfer
from linli.timebank.actions_exchange import record_exchange
from linli.timebank.actions_shelf import redeem, save_reward
from linli.timebank.models import Entry, Exchange, Reward, Transfer

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def client_for(user: Any) -> SecondFactorClient:
    client = SecondFactorClient()
    client.force_login(user)
    return client


def test_resident_page_exchange_and_redeem(bank: Any) -> None:
    credit_service_hours(bank.worker, community=bank.a, person=bank.ann, minutes=90, memo="巡逻")
    award_points(bank.worker, community=bank.a, person=bank.ann, points=20)
    reward = save_reward(bank.worker, community=bank.a, name="毛巾", price=8, stock=3)
    ann = client_for(bank.ann_user)
    page = ann.get(reverse("timebank:mine")).content.decode()
    assert 'id="balance-hours">1.5<' in page and 'id="balance-points">20<' in page and "毛巾" in page
    response = ann.post(
        reverse("timebank:exchange_new"),
        {"side": "receiver", "phone": "13700000002", "minutes": "30", "memo": "陪同就医"},
    )
    assert response.status_code == 302
    exchange = Exchange.objects.get()
    assert (exchange.giver, exchange.receiver, exchange.state) == (bank.bob, bank.ann, "proposed")
    bob = client_for(bank.bob_user)
    assert "陪同就医" in bob.get(reverse("timebank:mine")).content.decode()
    bob.post(reverse("timebank:exchange_act", args=[exchange.pk, "confirm"]))
    exchange.refresh_from_db()
    assert exchange.state == "confirmed"
    ann.post(reverse("timebank:redeem", args=[reward.pk]), {"quantity": "2"})
    reward.refresh_from_db()
    assert reward.stock == 1
    # Refused: not enough points; the message says so and nothing moves.
    page = ann.post(reverse("timebank:redeem", args=[reward.pk]), {"quantity": "1"}, follow=True).content.decode()
    reward.refresh_from_db()
    assert reward.stock == 1 and '<li class="error">' in page


def test_resident_without_record_and_other_peoples_statements(bank: Any) -> None:
    from linli.accounts.actions import create_user

    stranger = create_user(None, username="nobody", role="resident", phone="13700000009")
    assert 'id="no-record"' in client_for(stranger).get(reverse("timebank:mine")).content.decode()
    ann = client_for(bank.ann_user)
    assert ann.get(reverse("timebank:statement", args=[bank.ann.pk, YEAR])).status_code == 200
    for pk in (bank.bob.pk, bank.dan.pk, 999999):
        assert ann.get(reverse("timebank:statement", args=[pk, YEAR])).status_code == 404
    assert client_for(bank.worker_b).get(reverse("timebank:certificate", args=[bank.ann.pk, YEAR])).status_code == 404


def test_staff_award_reverse_and_shelf(bank: Any) -> None:
    staff = client_for(bank.worker)
    url = reverse("timebank:community", args=[bank.a.pk])
    assert staff.get(url).status_code == 200
    assert client_for(bank.worker_b).get(url).status_code == 404
    staff.post(reverse("timebank:award", args=[bank.a.pk]), {"person": bank.cat.pk, "points": "12", "memo": "清扫"})
    award = Transfer.objects.get(kind="award")
    staff.post(reverse("timebank:reverse", args=[award.pk]), {"reason": "给错人", "community": bank.a.pk})
    assert Transfer.objects.filter(reverses=award).exists()
    staff.post(
        reverse("timebank:reward_new", args=[bank.a.pk]), {"name": "雨伞", "price": "8", "stock": "4", "active": "on"}
    )
    umbrella = Reward.objects.get(name="雨伞")
    staff.post(
        reverse("timebank:reward_edit", args=[bank.a.pk, umbrella.pk]), {"name": "雨伞", "price": "9", "stock": "4"}
    )
    umbrella.refresh_from_db()
    assert (umbrella.price, umbrella.active) == (9, False)
    # Another community's staff can neither reverse nor award here.
    other = client_for(bank.worker_b)
    t = credit_service_hours(bank.worker, community=bank.a, person=bank.cat, minutes=5)
    other.post(reverse("timebank:reverse", args=[t.pk]), {"reason": "x"})
    assert not Transfer.objects.filter(reverses=t).exists()


def test_statement_figures_are_the_entries(bank: Any) -> None:
    last_year = timezone.now() - timedelta(days=400)
    credit_service_hours(bank.worker, community=bank.a, person=bank.ann, minutes=100, at=last_year)
    credit_service_hours(bank.worker, community=bank.a, person=bank.ann, minutes=120)
    wrong = credit_service_hours(bank.worker, community=bank.a, person=bank.ann, minutes=30)
    reverse_transfer(bank.worker, wrong, "重复")
    credit_service_hours(bank.worker, community=bank.a, person=bank.bob, minutes=50)
    record_exchange(bank.worker, giver=bank.ann, receiver=bank.bob, minutes=40, memo="修车")
    record_exchange(bank.worker, giver=bank.bob, receiver=bank.ann, minutes=25, memo="做饭")
    award_points(bank.worker, community=bank.a, person=bank.ann, points=30)
    shelf = save_reward(bank.worker, community=bank.a, name="米", price=7, stock=5)
    redeem(bank.worker, person=bank.ann, reward=shelf, quantity=2)
    st = statements.statement(bank.ann, YEAR)
    f = st.figures
    assert (f["opening_minutes"], f["service"], f["given"], f["received"]) == (100, 120, 40, 25)
    assert f["closing_minutes"] == 100 + 120 + 40 - 25
    assert (f["opening_points"], f["awarded"], f["redeemed"], f["closing_points"]) == (0, 30, 14, 16)
    # Every figure is a sum of the person's entries, and the closing balances are the accounts'.
    mine = Entry.objects.filter(account__person=bank.ann)
    assert sum(x.amount for x in st.lines) == sum(
        mine.filter(transfer__created_at__year=YEAR).values_list("amount", flat=True)
    )
    assert f["closing_minutes"] == bank.ann.accounts.get(currency="minutes").balance
    assert f["closing_points"] == bank.ann.accounts.get(currency="points").balance
    page = client_for(bank.ann_user).get(reverse("timebank:statement", args=[bank.ann.pk, YEAR])).content.decode()
    assert 'id="service-hours">2.0<' in page
    xlsx = client_for(bank.worker).get(reverse("timebank:statement_xlsx", args=[bank.ann.pk, YEAR]))
    cells = [c for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True) for c in row]
    assert 120 in cells and 40 in cells and -14 in cells


def test_certificate_and_its_verification(bank: Any) -> None:
    credit_service_hours(bank.worker, community=bank.a, person=bank.ann, minutes=150)
    pdf = client_for(bank.ann_user).get(reverse("timebank:certificate", args=[bank.ann.pk, YEAR]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    code = statements.certificate_code(bank.ann.pk, YEAR, 150)
    public = SecondFactorClient()
    page = public.get(reverse("timebank:verify", args=[code]))
    body = page.content.decode()
    assert page.status_code == 200 and 'id="verify-genuine"' in body and "王*" in body and "王安" not in body
    assert "2.5" in body and 'id="verify-outdated"' not in body
    forged = [
        code.replace(f"-{YEAR}-150-", f"-{YEAR}-1500-"),  # more hours, same MAC
        code[:-1] + ("0" if code[-1] != "0" else "1"),
        f"{bank.bob.pk}" + code[len(str(bank.ann.pk)) :],
        "not-a-code",
    ]
    for bad in forged:
        answer = public.get(reverse("timebank:verify", args=[bad]))
        assert answer.status_code == 404 and 'id="verify-refused"' in answer.content.decode(), bad
    t = credit_service_hours(bank.worker, community=bank.a, person=bank.ann, minutes=10)
    reverse_transfer(bank.worker, t, "x")
    credit_service_hours(bank.worker, community=bank.a, person=bank.ann, minutes=5)
    assert 'id="verify-outdated"' in public.get(reverse("timebank:verify", args=[code])).content.decode()


def test_hostile_text_stays_inert(bank: Any) -> None:
    award_points(bank.worker, community=bank.a, person=bank.ann, points=50)
    reward = save_reward(bank.worker, community=bank.a, name="placeholder", price=5, stock=5)
    hostile = "=HYPERLINK(1)" + HOSTILE_SHORT[:40]
    Reward.objects.filter(pk=reward.pk).update(name=hostile)  # as hand-edited data would be
    reward.refresh_from_db()
    redeem(bank.ann_user, person=bank.ann, reward=reward)
    Transfer.objects.filter(kind="redemption").update(memo=hostile)  # the memo column is outside the hash
    for user, url in (
        (bank.ann_user, reverse("timebank:mine")),
        (bank.ann_user, reverse("timebank:statement", args=[bank.ann.pk, YEAR])),
        (bank.worker, reverse("timebank:community", args=[bank.a.pk])),
    ):
        body = client_for(user).get(url).content.decode()
        assert "<img src=x" not in body and 'onerror="window' not in body, url
        assert "&lt;img src=x" in body or "&quot;&gt;&lt;img" in body, url
    xlsx = client_for(bank.ann_user).get(reverse("timebank:statement_xlsx", args=[bank.ann.pk, YEAR]))
    cells = [c for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True) for c in row]
    assert "'" + hostile in cells and hostile not in cells


def test_movement_lists_do_not_grow_in_queries(bank: Any) -> None:
    def count(url: str, user: Any) -> int:
        client = client_for(user)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    credit_service_hours(bank.worker, community=bank.a, person=bank.ann, minutes=10)
    urls = [
        (reverse("timebank:mine"), bank.ann_user),
        (reverse("timebank:community", args=[bank.a.pk]), bank.worker),
        (reverse("timebank:statement", args=[bank.ann.pk, YEAR]), bank.ann_user),
    ]
    few = [count(u, who) for u, who in urls]
    for n in range(25):
        credit_service_hours(bank.worker, community=bank.a, person=bank.ann, minutes=10 + n, memo=f"第{n}次")
        award_points(bank.worker, community=bank.a, person=bank.ann, points=1 + n)
    assert [count(u, who) for u, who in urls] == few
