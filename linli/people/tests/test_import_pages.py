"""The import pages: template download and round trip, the column mapping for another layout, a preview that
masks personal numbers, the job page and its progress, and nobody else's job."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from linli.accounts.choices import Role
from linli.core.crypto import digest
from linli.people.imports_format import EXAMPLE_MARK, HOUSE_COLUMNS, PERSON_COLUMNS
from linli.people.models import Household, Ownership, Person, RegistryImport
from linli.people.tasks import run_registry_import

from .conftest import id_number
from .importing import workbook

pytestmark = pytest.mark.django_db

NUMBER = id_number("110101", "19450305", "124")


def _upload(client, data: bytes, kind: str = "persons", name: str = "file.xlsx"):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(reverse("people:transfer_upload"), {"kind": kind, "file": upload})


def _job(response) -> RegistryImport:
    return RegistryImport.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-2]))


def _fill(template: bytes, rows: list[dict[str, str]]) -> bytes:
    """Overwrite the template's example rows with real ones, as a person does in Excel."""
    book = load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    for r, values in enumerate(rows, start=2):
        for c, header in enumerate(headers, start=1):
            sheet.cell(row=r, column=c, value=values.get(header, ""))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_persons_template_round_trip(world, houses, keeper, client):
    client.force_login(keeper)
    response = client.get(reverse("people:transfer_template", args=["persons"]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book.worksheets[0][1]] == [c.header for c in PERSON_COLUMNS]
    examples = [row for row in book.worksheets[0].iter_rows(min_row=2, values_only=True) if any(row)]
    assert len(examples) == 2 and all(str(row[0]).startswith(EXAMPLE_MARK) for row in examples)
    assert len(book.worksheets) == 2  # the instructions
    code = houses["a101"].code
    data = _fill(
        response.content,
        [
            {"姓名": "王秀英", "证件号码": NUMBER, "人员类型": "户籍", "房屋编码": code, "户号": "1", "与户主关系": "户主",
             "关爱标签": "独居老人"},
            {"姓名": "李小明", "性别": "男", "出生日期": "2015-05-05", "人员类型": "常住", "房屋编码": code, "户号": "1",
             "与户主关系": "孙子"},
        ],
    )  # fmt: skip
    response = _upload(client, data)
    assert response.status_code == 302 and "/preview/" in response["Location"]  # our layout: no mapping step
    job = _job(response)
    assert client.get(response["Location"]).status_code == 200
    response = client.post(response["Location"], {"action": "import"})
    assert response["Location"] == reverse("people:transfer_job", args=[job.pk])
    page = client.get(response["Location"])
    assert b'hx-trigger="every 1s"' in page.content and b"<progress" in page.content
    run_registry_import.call(job.pk)
    status = client.get(reverse("people:transfer_progress", args=[job.pk]))
    assert b'data-status="done"' in status.content and b"hx-trigger" not in status.content
    assert Person.objects.count() == 2 and Household.objects.get().members.count() == 2


def test_example_rows_left_in_are_skipped(world, houses, keeper, client):
    client.force_login(keeper)
    template = client.get(reverse("people:transfer_template", args=["persons"])).content
    book = load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    sheet.append(["赵六", "", "", "男", "1970-01-01", "", "", "常住", houses["a102"].code])
    buffer = io.BytesIO()
    book.save(buffer)
    response = _upload(client, buffer.getvalue())
    job = _job(response)
    page = client.get(reverse("people:transfer_preview", args=[job.pk]))
    assert page.context["preview"].examples == 2 and len(page.context["preview"].rows) == 1
    client.post(reverse("people:transfer_preview", args=[job.pk]), {"action": "import"})
    run_registry_import.call(job.pk)
    assert list(Person.objects.values_list("name", flat=True)) == ["赵六"]


def test_houses_template_round_trip(world, houses, keeper, client):
    from linli.people.actions import registry

    owner = registry.register_person(keeper, place=houses["a101"], name="王秀英", id_number=NUMBER, residency="户籍")
    client.force_login(keeper)
    template = client.get(reverse("people:transfer_template", args=["houses"])).content
    assert [c.value for c in load_workbook(io.BytesIO(template)).worksheets[0][1]] == [c.header for c in HOUSE_COLUMNS]
    code = houses["a101"].code
    data = _fill(
        template,
        [
            {"房屋编码": code, "建筑面积": "89.5", "房屋用途": "出租", "产权人姓名": "王秀英", "产权人证件号码": NUMBER,
             "产权份额": "0.5"},
            {"房屋编码": code, "产权人姓名": "某置业有限公司", "产权份额": "0.5"},
        ],
    )  # fmt: skip
    job = _job(_upload(client, data, kind="houses"))
    client.post(reverse("people:transfer_preview", args=[job.pk]), {"action": "import"})
    run_registry_import.call(job.pk)
    job.refresh_from_db()
    assert job.status == "done", job.errors
    house = houses["a101"].house
    assert (str(house.area), house.use) == ("89.50", "rented")
    assert {(o.person_id, o.organisation, str(o.share)) for o in Ownership.objects.all()} == {
        (owner.pk, "", "0.5000"),
        (None, "某置业有限公司", "0.5000"),
    }


def test_another_layout_goes_through_the_mapping_form(world, houses, keeper, client):
    client.force_login(keeper)
    headers = ["序号", "名字", "公民身份号码", "手机号码", "人口类型", "住址", "户号", "关系", "备用"]
    rows = [[1, "王秀英", NUMBER, "13800001234", "户籍人口", houses["a101"].code, 1, "户主", "x"]]
    response = _upload(client, workbook(headers, rows), name="社区台账.xlsx")
    assert "/columns/" in response["Location"]
    job = _job(response)
    assert job.mapping["fields"] == {
        "name": "名字",
        "id_number": "公民身份号码",
        "phone": "手机号码",
        "residency": "人口类型",
        "house": "住址",
        "household": "户号",
        "relation": "关系",
    }
    page = client.get(response["Location"])
    assert page.context["form"]["id_number"].initial == "公民身份号码"
    # The person moves the phone to "not in the file" and the house to an unknown column: refused.
    chosen = {**job.mapping["fields"], "phone": "", "house": "没有这一列"}
    assert client.post(response["Location"], chosen).status_code == 200
    job.refresh_from_db()
    assert job.mapping["settled"] is False
    # Two fields on one column: refused.
    assert client.post(response["Location"], {**job.mapping["fields"], "note": "名字"}).status_code == 200
    response = client.post(response["Location"], {**job.mapping["fields"], "phone": "", "note": "备用"})
    assert "/preview/" in response["Location"]
    job.refresh_from_db()
    assert job.mapping["fields"]["note"] == "备用" and "phone" not in job.mapping["fields"]
    client.post(response["Location"], {"action": "import"})
    run_registry_import.call(job.pk)
    person = Person.objects.get()
    assert person.id_digest == digest(NUMBER) and person.phone == "" and person.note == "x"


def test_preview_masks_personal_numbers(world, houses, keeper, client):
    client.force_login(keeper)
    child = id_number("110101", "20150505", "123")
    bad = NUMBER[:-1] + ("0" if NUMBER[-1] != "0" else "1")
    rows = [
        ["王秀英", "", NUMBER, "", "", "", "13800001234", "户籍", houses["a101"].code],
        ["李小明", "", child, "", "", "", "13912345678", "常住", houses["a101"].code],
        ["坏号码", "", bad, "", "", "", "13700001111", "常住", houses["a101"].code],
    ]
    job = _job(_upload(client, workbook([c.header for c in PERSON_COLUMNS], rows)))
    page = client.get(reverse("people:transfer_preview", args=[job.pk]))
    html = page.content.decode()
    for secret in (NUMBER, child, bad, "13800001234", "13912345678", "13700001111", NUMBER[6:14], bad[6:14]):
        assert secret not in html
    assert "110101********1244" in html and "138****1234" in html  # an adult's, masked as on the pages
    assert "李**" in html and "*" * 14 + child[-4:] in html  # a minor's name and number masked strictly
    preview = page.context["preview"]
    assert preview.total == 3 and preview.problems == 1 and preview.rows[2].problem


def test_uploading_needs_the_registry_keepers_role(world, houses, client):
    client.force_login(world.users[Role.GRID_WORKER])
    assert _upload(client, workbook(["姓名"], [["甲"]])).status_code == 403
    assert client.get(reverse("people:transfer_template", args=["persons"])).status_code == 403
    assert client.get(reverse("people:transfer")).status_code == 200  # a grid worker exports
    client.force_login(world.users[Role.DEPARTMENT_HANDLER])
    assert client.get(reverse("people:transfer")).status_code == 403


def test_a_bad_file_is_refused_at_the_door(world, houses, keeper, client):
    client.force_login(keeper)
    response = _upload(client, b"not a workbook", name="x.xlsx")
    assert response.status_code == 400 and not RegistryImport.objects.exists()
    response = _upload(client, workbook(["姓名"], []), name="x.xlsx")
    assert response.status_code == 400
    response = _upload(client, b"a,b\n1,2\n", name="x.pdf")
    assert response.status_code == 400


def test_the_job_of_another_user_is_not_found(world, houses, keeper, client):
    client.force_login(keeper)
    rows = [["王秀英", "", NUMBER, "", "", "", "", "户籍", houses["a101"].code]]
    job = _job(_upload(client, workbook([c.header for c in PERSON_COLUMNS], rows)))
    other = world.users[Role.COMMUNITY_SECRETARY]  # same community, same role family: still not theirs
    client.force_login(other)
    for name in ("transfer_job", "transfer_progress", "transfer_preview", "transfer_mapping"):
        assert client.get(reverse(f"people:{name}", args=[job.pk])).status_code == 404, name
    assert client.post(reverse("people:transfer_preview", args=[job.pk]), {"action": "import"}).status_code == 404
    client.force_login(keeper)
    client.post(reverse("people:transfer_preview", args=[job.pk]), {"action": "discard"})
    assert not RegistryImport.objects.exists()


def test_a_gb18030_csv_from_excel_on_windows_imports(world, houses, keeper, client):
    client.force_login(keeper)
    text = "姓名,证件号码,人员类型,房屋编码,备注\n" + f"王秀英,{NUMBER},户籍,{houses['a101'].code},'=1+1\n"
    job = _job(_upload(client, text.encode("gb18030"), name="居民.csv"))
    assert job.total_rows == 1
    client.post(reverse("people:transfer_preview", args=[job.pk]), {"action": "import"})
    run_registry_import.call(job.pk)
    person = Person.objects.get()
    assert (person.name, person.note) == ("王秀英", "=1+1")  # the export's quote taken off again


def test_houses_preview_masks_owner_numbers(world, houses, keeper, client):
    client.force_login(keeper)
    rows = [[houses["a101"].code, "89.5", "自住", "王秀英", NUMBER, "1"]]
    job = _job(_upload(client, workbook([c.header for c in HOUSE_COLUMNS][:6], rows), kind="houses"))
    html = client.get(reverse("people:transfer_preview", args=[job.pk])).content.decode()
    assert NUMBER not in html and "110101********1244" in html and "王**" in html
    preview = client.get(reverse("people:transfer_preview", args=[job.pk])).context["preview"]
    assert preview.problems == 1  # the owner is not registered yet: the preview says so before importing
