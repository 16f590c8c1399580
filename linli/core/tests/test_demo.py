from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.models import Count

from linli.accounts.choices import Role
from linli.accounts.models import Grant
from linli.cases.models import Case
from linli.cases.timeline import verify_all
from linli.orgs.models import Matter, MatterAdmission, Unit
from linli.people.models import Person
from linli.places.models import Place


@pytest.mark.django_db(transaction=True)
def test_demo_city_is_built_once_on_real_codes(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    call_command("build_demo_city", "--quiet", "--cases", "120", "--persons", "200")
    levels = dict(Place.objects.values_list("level").annotate(n=Count("id")).order_by())
    assert levels["district"] == 1 and levels["street"] == 17 and levels["community"] == 169
    assert levels["building"] >= 2000
    assert Place.objects.get(code="110101001000").name == "东华门街道"
    grids = Place.objects.filter(level="grid")
    per_community = Place.objects.filter(level="community").annotate(n=Count("children")).values_list("n", flat=True)
    assert set(per_community) <= {2, 3, 4}
    assert all(150 <= (g.households or 0) <= 500 and len(g.code) == 15 and g.geometry for g in grids[:50])
    assert Matter.objects.count() >= 150 and MatterAdmission.objects.exists()
    assert Unit.objects.filter(kind="street_office").count() == 17
    assert set(Grant.objects.active().values_list("role", flat=True)) == set(Role.values)
    # The history on top of it: its own accounts, every chain whole, the resident's requests among them.
    assert Case.objects.count() == 120 and verify_all() == (120, None)
    assert Case.objects.filter(reporter__username="resident").exists()
    # Its figures were folded from the timelines it wrote in bulk, and equal a recomputation.
    from linli.assessment.models import CaseFact
    from linli.assessment.recompute import compare

    assert CaseFact.objects.filter(unit__isnull=False).count() > 60 and compare().equal
    call_command("build_demo_city", "--quiet", "--cases", "120", "--persons", "200")  # a second run changes nothing
    assert Place.objects.filter(level="district").count() == 1 and Case.objects.count() == 120
    assert Person.objects.count() == 200
