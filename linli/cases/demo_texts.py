"""Texts for the demo history: real citizen messages from the bundled 2020 TipDM Cup files
(linli/dispatch/data/teddy2020/README.md), read without unpacking them.

Only the `train` rows of attachment 2 are drawn, never its `test` rows (they are kept for the dispatch
figure reported in the docs), plus the unlabelled attachments 3 and 4, whose official replies
(答复意见) serve as the units' answers. Phone and identity numbers inside the messages are masked, and a
message that intake would refuse as markup is left out, so nothing here could not have come in through the
form.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

from linli.core.datafiles import open_text
from linli.core.masking import mask_id_number, mask_phone

from .validation import BODY_LIMIT, TITLE_LIMIT, check_free_text

# Mobiles as people write them: 13812345678, 138 1234 5678, 138-1234-5678, +86 138…
PHONE_RE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
ID_RE = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
LANDLINE_RE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
SPACE_RE = re.compile(r"\s+")
ANSWER_LIMIT = 3000


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    reply: str  # the official reply where the source has one, else ""


def scrub(text: str) -> str:
    """Whitespace collapsed, personal numbers masked (the history must hold no one's number in the clear)."""
    text = SPACE_RE.sub(" ", text or "").strip()
    text = ID_RE.sub(lambda m: mask_id_number(m.group()), text)
    text = PHONE_RE.sub(lambda m: mask_phone(re.sub(r"\D", "", m.group())[-11:]), text)
    return LANDLINE_RE.sub(lambda m: mask_phone(m.group()), text)


def _message(title: str, body: str, reply: str = "") -> Message | None:
    title, body, reply = scrub(title), scrub(body), scrub(reply)
    body = body or title
    if not body:
        return None
    title = title or body[:40]
    try:
        for text in (title, body, reply):
            check_free_text(text)
    except Exception:
        return None
    return Message(title[:TITLE_LIMIT], body[:BODY_LIMIT], reply[:ANSWER_LIMIT])


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with open_text(path, encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@cache
def messages() -> tuple[Message, ...]:
    """Every usable message, in file order (the generator draws from them with its own seeded generator)."""
    base = Path(settings.DISPATCH_BASE_TRAINING)
    folder = base.parent
    found: list[Message | None] = []
    for row in _rows(base):
        if row.get("split") == "train":
            found.append(_message(row.get("留言主题", ""), row.get("留言详情", "")))
    for name in ("attachment3.csv.xz", "attachment4.csv.xz"):
        for row in _rows(folder / name):
            found.append(_message(row.get("留言主题", ""), row.get("留言详情", ""), row.get("答复意见", "")))
    kept = tuple(m for m in found if m is not None)
    if not kept:
        raise RuntimeError(f"No citizen messages found next to {base}: the demo history needs them")
    return kept


# What the people on the timelines write. Demo data, in the language the staff write in.
CONTACT_NOTES = (
    "已电话联系诉求人，了解具体情况，约定上门查看时间",
    "已与诉求人取得联系，告知办理流程和预计时限",
    "电话联系诉求人，对方表示认可处理安排",
    "已联系网格员到现场核实诉求情况",
)
GRID_CONTACT_NOTES = ("已联系上报网格员，核实现场位置和问题情况", "已与网格员对接，约定联合处置时间")
PROGRESS_NOTES = (
    "已安排工作人员到现场查看，正在协调相关方处理",
    "已制定整改方案，待相关单位配合实施",
    "已召集物业、居民代表现场协商",
    "材料已报送上级部门审核，等待回复",
)
ANSWER_TEMPLATES = (
    "经{unit}现场核实，诉求反映情况属实，已安排专人处理完毕，后续将加强日常巡查。",
    "{unit}已于接单后组织人员到场处置，问题已整改到位，并已向诉求人反馈。",
    "经{unit}调查，已约谈相关责任方并督促整改，目前问题已解决。",
    "{unit}已联系诉求人说明政策规定及办理渠道，诉求人表示理解。",
)
REHANDLE_ANSWERS = (
    "{unit}再次到场处置，已彻底整改并拍照留存，诉求人确认。",
    "{unit}已重新协调责任单位落实整改，问题已解决。",
)
RETURN_EXPLANATIONS = {
    "wrong_place": "诉求地址不在本单位辖区，建议转属地街道办理",
    "unclear_owner": "涉事设施产权单位不明，需先确认权属",
    "overlapping": "该问题涉及多个部门职责，建议由街道统筹协调",
    "not_our_duty": "经核实，该事项不属于本单位职责范围",
    "beyond_power": "处置需执法权限，超出本单位处置能力",
    "info_missing": "诉求地址和问题描述不全，无法定位",
}
REVIEW_UPHELD = ("退单理由成立，改派至责任单位", "经核实权属，改派属地办理", "按街道兜底原则改派")
REVIEW_REJECTED = ("经核实属于本单位职责，请按时办理", "退单理由不成立，请先行处置", "事项清单明确由本单位办理")
INVALID_EXPLANATIONS = {
    "out_of_scope": "咨询内容不属于接诉即办受理范围，已告知诉求人其他渠道",
    "abusive": "来电内容含辱骂性语言，无具体诉求",
    "test": "系统测试工单",
    "repeat": "诉求人重复反映同一问题，无新情况",
}
EXTENSION_REASONS = (
    "需协调多个产权单位，申请延期办理",
    "整改工程需等待材料到货，申请延期",
    "涉及资金审批流程，申请延期",
)
SUSPENSION_REASONS = ("涉及诉讼程序，待法院判决后继续办理", "冬季无法施工，待开春后继续办理", "需等待上级部门政策出台")
REFUSAL_NOTES = ("时限内可以办结，不同意延期", "理由不充分，请按原时限办理")
WHISTLE_NOTES = (
    "需多部门联合执法，请到现场报到",
    "问题涉及多个部门职责，吹哨召集现场会商",
    "违法建设需联合拆除，请派员到场",
)
WHISTLE_REPORTS = ("已派员到达现场", "执法队员已到场配合处置", "已到场，参与联合处置")
VERIFY_PASSED = ("现场核查，问题已整改到位", "经网格员现场核查，处置结果属实")
VERIFY_FAILED = ("现场核查发现问题仍未解决，退回重新处理", "整改不到位，请重新处置")
ESCALATE_WHY = ("问题超出本单位处置能力，申请上级统筹协调", "涉及多个部门，需上级协调")
RATING_COMMENTS = {
    "satisfied": ("", "", "处理及时，谢谢", "工作人员态度很好"),
    "basic": (
        "",
        "基本解决了，希望以后多巡查",
    ),
    "unsatisfied": ("问题没有解决", "处理敷衍，现场依旧", "没有人联系我"),
}
