"""The registry's Excel files: their columns, the words communities write in them, the downloadable
templates, how another layout's headers are matched to our fields, and a reader that streams rows.

Column headings and the words in the cells (户籍, 户主, 独居老人, 自住) are a file format, what community
sheets already say, not UI text; the instructions sheet of a template is UI text and is translated.
The reader keeps dates as dates and turns Excel's numbers back into the text that was typed (a phone stored
as 13800001234.0 is "13800001234"), and removes the quote an export put before formula-like text
(linli.core.tabular.restore_cell), as linli.core.tabular's reader does, but row by row: a 100,000-row file
is never held as one table.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from linli.core.crypto import primary_fernet
from linli.core.tabular import neutralise_cell, restore_cell

from .choices import CareTagKind, HouseUse, IdType, ImportKind, Relation, Residency


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # what our template writes
    required: bool = False
    synonyms: tuple[str, ...] = ()


HOUSE_SYNONYMS = ("房屋代码", "房屋编号", "房屋", "房号", "住址", "现住址", "居住地址", "地址", "门牌号")
PERSON_COLUMNS = (
    Column("name", "姓名", True, ("名字", "居民姓名", "人员姓名")),
    Column("id_type", "证件类型", False, ("证件种类", "证件名称")),
    Column("id_number", "证件号码", False, ("身份证号", "身份证号码", "证件号", "公民身份号码", "身份证", "身份号码")),
    Column("gender", "性别"),
    Column("birth_date", "出生日期", False, ("出生年月", "出生年月日", "生日")),
    Column("ethnicity", "民族"),
    Column("phone", "联系电话", False, ("手机", "手机号", "手机号码", "电话", "电话号码", "联系方式")),
    Column("residency", "人员类型", True, ("人口类型", "人员类别", "人口类别", "居住类型")),
    Column("house", "房屋编码", True, HOUSE_SYNONYMS),
    Column("household", "户号", False, ("户编号", "户号码")),
    Column("relation", "与户主关系", False, ("与户主的关系", "家庭关系", "关系")),
    Column("arrived_on", "入住日期", False, ("入住时间", "迁入日期", "迁入时间", "居住起始日期")),
    Column("left_on", "离开日期", False, ("离开时间", "迁出日期", "迁出时间")),
    Column("tags", "关爱标签", False, ("人员标签", "标签", "特殊人群", "重点人群")),
    Column("note", "备注", False, ("说明",)),
)
HOUSE_COLUMNS = (
    Column("house", "房屋编码", True, HOUSE_SYNONYMS),
    Column("area", "建筑面积", False, ("面积", "房屋面积")),
    Column("use", "房屋用途", False, ("用途", "使用情况", "房屋状态")),
    Column("owner_name", "产权人姓名", False, ("产权人", "业主姓名", "业主", "房主", "所有权人")),
    Column(
        "owner_id",
        "产权人证件号码",
        False,
        ("产权人身份证号", "业主身份证号", "业主证件号码", "身份证号", "身份证号码", "证件号码", "证件号"),
    ),
    Column("share", "产权份额", False, ("份额", "共有份额", "产权比例")),
    Column("owner_area", "专有面积", False, ("专有部分面积", "套内面积")),
    Column("certificate", "不动产权证号", False, ("不动产权证书号", "产权证号", "房产证号")),
)
COLUMNS = {ImportKind.PERSONS: PERSON_COLUMNS, ImportKind.HOUSES: HOUSE_COLUMNS}

# The words an export writes and a template lists; the import also takes our codes, the display labels and
# linli.people.validation.SYNONYMS.
ID_TYPE_WORDS = {
    IdType.RESIDENT_ID: "居民身份证",
    IdType.HK_MACAO_PERMIT: "港澳居民来往内地通行证",
    IdType.TAIWAN_PERMIT: "台湾居民来往大陆通行证",
    IdType.PASSPORT: "护照",
    IdType.FOREIGN_PERMANENT: "外国人永久居留身份证",
    IdType.OTHER: "其他",
}
RESIDENCY_WORDS = {
    Residency.REGISTERED: "户籍",
    Residency.RESIDENT: "常住",
    Residency.FLOATING: "流动",
    Residency.OVERSEAS: "境外",
}
RELATION_WORDS = {
    Relation.HEAD: "户主",
    Relation.SPOUSE: "配偶",
    Relation.CHILD: "子女",
    Relation.PARENT: "父母",
    Relation.GRANDPARENT: "祖父母",
    Relation.GRANDCHILD: "孙子女",
    Relation.SIBLING: "兄弟姐妹",
    Relation.CHILD_IN_LAW: "儿媳",  # an export writes 女婿 for a man
    Relation.OTHER_RELATIVE: "其他亲属",
    Relation.NON_RELATIVE: "非亲属",
}
GENDER_WORDS = {"male": "男", "female": "女"}
TAG_WORDS = {
    CareTagKind.LIVING_ALONE_ELDERLY: "独居老人",
    CareTagKind.ADVANCED_AGE: "高龄",
    CareTagKind.DISABLED: "残疾",
    CareTagKind.SUBSISTENCE: "低保",
    CareTagKind.CHILD_IN_DIFFICULTY: "困境儿童",
    CareTagKind.EMPTY_NEST: "空巢老人",
    CareTagKind.SERIOUS_ILLNESS: "大病",
    CareTagKind.KEY_CONCERN: "重点关注",
}
TAG_SYNONYMS = {
    "独居": CareTagKind.LIVING_ALONE_ELDERLY,
    "高龄老人": CareTagKind.ADVANCED_AGE,
    "残疾人": CareTagKind.DISABLED,
    "低保户": CareTagKind.SUBSISTENCE,
    "空巢": CareTagKind.EMPTY_NEST,
    "重大疾病": CareTagKind.SERIOUS_ILLNESS,
    "重点人员": CareTagKind.KEY_CONCERN,
}
USE_WORDS = {
    HouseUse.OWNER_OCCUPIED: "自住",
    HouseUse.RENTED: "出租",
    HouseUse.VACANT: "空置",
    HouseUse.COMMERCIAL: "商用",
}
USE_SYNONYMS = {"自用": HouseUse.OWNER_OCCUPIED, "出租房": HouseUse.RENTED, "闲置": HouseUse.VACANT}
TAG_SEPARATORS = re.compile(r"[、,，;；/\s]+")
# A template's example rows start with this; the import skips them (and says how many it skipped).
EXAMPLE_MARK = "【示例】"


def tag_codes(text: str) -> tuple[list[str], list[str]]:
    """The care tags a cell names, and the words that are no tag."""
    codes: list[str] = []
    unknown: list[str] = []
    words = {v: k for k, v in TAG_WORDS.items()} | TAG_SYNONYMS
    for word in TAG_SEPARATORS.split(text or ""):
        if not word:
            continue
        code = str(words.get(word, word if word in CareTagKind.values else ""))
        if not code:
            unknown.append(word[:20])
        elif code not in codes:
            codes.append(code)
    return codes, unknown


def use_code(text: str) -> str:
    text = (text or "").strip()
    if not text:
        return ""
    words = {v: k for k, v in USE_WORDS.items()} | USE_SYNONYMS
    code = words.get(text) or (text if text in HouseUse.values else "")
    if not code:
        raise ValidationError(_("“%(value)s” is not one of the allowed values"), params={"value": text[:40]})
    return str(code)


# --------------------------------------------------------------------------------------------------
# Headers → fields


def _bare(header: str) -> str:
    text = re.sub(r"\s+", "", str(header or ""))
    text = re.sub(r"[（(][^）)]*[）)]", "", text)  # 证件号码（必填）
    return text.strip("*＊:：")


def guess_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    """Our field → the file's column, by our header, then a synonym, then a header that contains one."""
    columns = COLUMNS[ImportKind(kind)]
    bare = {h: _bare(h) for h in headers if h}
    mapping: dict[str, str] = {}
    used: set[str] = set()

    def take(field: str, test: Any) -> None:
        for header, text in bare.items():
            if header not in used and field not in mapping and test(text):
                mapping[field] = header
                used.add(header)

    for column in columns:
        take(column.field, lambda text, c=column: text == c.header)
    for column in columns:
        take(column.field, lambda text, c=column: text in c.synonyms)
    for column in columns:
        names = (column.header, *column.synonyms)
        take(column.field, lambda text, names=names: any(len(n) >= 2 and n in text for n in names))
    return mapping


def mapping_is_exact(kind: str, headers: list[str], mapping: dict[str, str]) -> bool:
    """The file is laid out as our template (every column ours, every required one there): no form needed."""
    ours = {c.header for c in COLUMNS[ImportKind(kind)]}
    required = [c for c in COLUMNS[ImportKind(kind)] if c.required]
    return all(h in ours for h in headers if h) and all(mapping.get(c.field) == c.header for c in required)


# --------------------------------------------------------------------------------------------------
# Reading


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return restore_cell(str(value).strip())


class FileUnreadable(Exception):
    pass


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GB18030
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileUnreadable(_("The file is neither UTF-8 nor GB18030 text"))


def is_xlsx(filename: str) -> bool:
    return filename.lower().endswith((".xlsx", ".xlsm"))


def check_filename(filename: str) -> None:
    if not filename.lower().endswith((".xlsx", ".xlsm", ".csv", ".txt")):
        raise FileUnreadable(_("Unsupported file type: use .xlsx or .csv"))


Rows = Generator[tuple[int, list[Any]], None, None]


def read_rows(data: bytes, filename: str) -> tuple[list[str], Rows]:
    """The header and an iterator of (row number as Excel shows it, cells) over the non-empty rows."""
    check_filename(filename)
    if is_xlsx(filename):
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            raw: Iterator[Any] = workbook.worksheets[0].iter_rows(values_only=True)
            first = next(raw, None)
        except Exception as exc:  # openpyxl raises many types for a damaged file
            raise FileUnreadable(_("The Excel file could not be read: %s") % str(exc)[:200]) from exc
    else:
        workbook = None
        raw = csv.reader(io.StringIO(_decode(data)))
        first = next(raw, None)
    if first is None:
        raise FileUnreadable(_("The file is empty"))
    header = [str(_cell(c)) for c in first]

    def rows() -> Rows:
        try:
            for number, values in enumerate(raw, start=2):
                cells = [_cell(c) for c in values]
                if any(c != "" for c in cells):
                    yield number, cells
        finally:
            if workbook is not None:
                workbook.close()

    return header, rows()


ROW_RE = re.compile(rb"<(?:\w+:)?row\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
VALUE_RE = re.compile(rb"<(?:\w+:)?(?:v|is)[\s>]")


def count_rows(data: bytes, filename: str) -> int:
    """Rows with a value below the header, found in the sheet's XML without parsing the cells (under a
    second for 100,000 rows, where reading them takes ten); the import itself also skips example rows."""
    if not is_xlsx(filename):
        return max(sum(1 for row in csv.reader(io.StringIO(_decode(data))) if any(c.strip() for c in row)) - 1, 0)
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    path = workbook.worksheets[0]._worksheet_path  # type: ignore[union-attr]
    workbook.close()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(path)
    found = sum(1 for m in ROW_RE.finditer(xml) if m.group(1) and VALUE_RE.search(m.group(1)))
    return max(found - 1, 0)


# --------------------------------------------------------------------------------------------------
# The file waits encrypted (it is full of identity numbers) until the import ends.


def seal(data: bytes) -> bytes:
    return primary_fernet().encrypt(data)


def unseal(token: bytes) -> bytes:
    try:
        return MultiFernet([Fernet(key) for key in settings.FIELD_ENCRYPTION_KEYS]).decrypt(bytes(token))
    except InvalidToken as exc:
        raise ValueError("the uploaded file could not be decrypted with the configured keys") from exc


# --------------------------------------------------------------------------------------------------
# Templates


PERSON_EXAMPLES = (
    ("王秀英", "居民身份证", "110101194503051244", "女", "1945-03-05", "汉族", "13800001234", "户籍", "房屋编码",
     "1", "户主", "2001-06-01", "", "独居老人、高龄", ""),
    ("李明", "居民身份证", "110101198001014572", "男", "1980-01-01", "汉", "01065123456", "常住", "房屋编码",
     "1", "子女", "2010-09-01", "", "", ""),
)  # fmt: skip
HOUSE_EXAMPLES = (
    ("房屋编码", "89.5", "自住", "王秀英", "110101194503051244", "0.5", "85.2", "京(2020)东城区不动产权第0001234号"),
    ("房屋编码", "89.5", "自住", "某置业有限公司", "", "0.5", "85.2", ""),
)


def _help_rows(kind: str) -> list[tuple[str, str, str]]:
    needed, optional = _("Required"), _("Optional")
    if kind == ImportKind.PERSONS:
        notes = {
            "id_type": _("One of: %s. Empty means a resident identity card.") % "、".join(ID_TYPE_WORDS.values()),
            "id_number": _("A resident identity number gives the gender and birth date; format the column as text."),
            "gender": _("男 or 女; may be left empty when the identity number gives it."),
            "birth_date": _("Write dates as 2026-03-01."),
            "ethnicity": _("One of the 56 ethnic groups (汉 or 汉族)."),
            "phone": _("A mobile or a landline with its area code."),
            "residency": _("One of: %s.") % "、".join(RESIDENCY_WORDS.values()),
            "house": _("The house's code in Linli (on the house's page); the house must be in your area."),
            "household": _("Rows with the same house code and household number form one household."),
            "relation": _("One of: %s. At most one 户主 per household.") % "、".join(RELATION_WORDS.values()),
            "left_on": _("Only for a person who has already left."),
            "tags": _("Several separated by 、 or a comma: %s.") % "、".join(TAG_WORDS.values()),
        }
    else:
        notes = {
            "house": _("The house's code in Linli (on the house's page); the house must be in your area."),
            "area": _("Square metres, e.g. 89.5."),
            "use": _("One of: %s.") % "、".join(USE_WORDS.values()),
            "owner_name": _(
                "A person registered in Linli (give the identity number too) or an organisation (no number)."
            ),
            "owner_id": _("The owner must already be registered as a person."),
            "share": _("A fraction of the whole, e.g. 0.5; the shares of one house add up to at most 1."),
        }
    rows = [(c.header, needed if c.required else optional, notes.get(c.field, "")) for c in COLUMNS[ImportKind(kind)]]
    rows.append(("", "", ""))
    rows.append(
        (
            EXAMPLE_MARK,
            "",
            _("Rows starting with %s are examples: overwrite them with your own rows; the import skips them.")
            % EXAMPLE_MARK,
        )
    )
    rows.append(("", "", _("The file is imported whole or not at all: every bad row is listed with the reason.")))
    return rows


def template(kind: str) -> bytes:
    """Our columns, example rows marked as such, and a second sheet explaining each column."""
    kind = ImportKind(kind)
    columns = COLUMNS[kind]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "人员" if kind == ImportKind.PERSONS else "房屋"  # type: ignore[union-attr]
    sheet.append([c.header for c in columns])  # type: ignore[union-attr]
    examples = PERSON_EXAMPLES if kind == ImportKind.PERSONS else HOUSE_EXAMPLES
    for example in examples:
        sheet.append([neutralise_cell(EXAMPLE_MARK + example[0]), *example[1:]])  # type: ignore[union-attr]
    for index, column in enumerate(columns, start=1):
        dimension = sheet.column_dimensions[get_column_letter(index)]  # type: ignore[union-attr]
        dimension.width = 22 if column.field in ("id_number", "owner_id", "house", "certificate") else 12
        # Text, so that Excel keeps an 18-digit number and a leading zero as typed.
        dimension.number_format = "@"
    help_sheet = workbook.create_sheet(_("Instructions")[:31])
    help_sheet.append([_("Column"), _("Required?"), _("How to fill it in")])
    for row in _help_rows(kind):
        help_sheet.append([neutralise_cell(v) for v in row])
    help_sheet.column_dimensions["C"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
