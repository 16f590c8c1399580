"""Who the demo's residents are on paper: names, identity documents, phones and ethnic groups, drawn from a
seeded generator so that the same seed gives the same people.

Identity numbers are real GB 11643 numbers in shape (a county code stdnum knows for the birth year, the
birth date, a sequence code and a correct check digit, so every one passes `normalize_id_number`), yet none
can be a living person's: the sequence codes 996–999 are reserved by GB 11643 for centenarians, and every
demo resident is born after 1926, so no number of theirs was ever issued with those codes. Mobiles are drawn
from the x-0000-xxxx blocks (138 0000 xxxx, 139 0000 xxxx, …) that Chinese documentation and test data use
as placeholders; documents of residents from outside the mainland are fictitious in the same spirit.
"""

from __future__ import annotations

import datetime
import random
from functools import cache

from stdnum.cn import ric

from .choices import ETHNICITIES, Gender, IdType

# The oldest birth year a demo resident may have: the reserved sequence codes are only safe after it.
FIRST_BIRTH_YEAR = 1927
CENTENARIAN_SEQUENCES = {Gender.MALE: ("997", "999"), Gender.FEMALE: ("996", "998")}
# Beijing's districts, 东城 first (崇文 merged into 东城 in 2010 and 宣武 into 西城: older residents' numbers
# still carry them); weights are how often a registered resident of 东城 was first registered there.
BEIJING = {
    "110101": 50, "110103": 12, "110102": 10, "110104": 4, "110105": 9, "110106": 4, "110108": 7,
    "110107": 1, "110112": 1, "110114": 1, "110115": 1,
}  # fmt: skip
# Where people who moved to Beijing come from: county codes of the provinces that send most of them.
ELSEWHERE = {
    "130102": 6, "130104": 4, "130105": 3, "130202": 3, "130602": 2, "131002": 2, "130682": 3, "131082": 3,
    "410102": 4, "410105": 3, "411302": 2, "370102": 3, "370202": 2, "371302": 2, "340102": 2, "340104": 2,
    "230102": 3, "220102": 2, "210102": 2, "210202": 1, "150102": 1, "140105": 2, "140106": 1, "420102": 2,
    "420106": 1, "430102": 1, "510104": 2, "510107": 1, "320102": 1, "330106": 1, "350102": 1, "360102": 1,
    "440104": 1, "500103": 1, "610102": 1, "620102": 1, "650102": 1, "120101": 2, "120103": 1, "310104": 1,
}  # fmt: skip
# The placeholder blocks: prefix + "0000" + four digits. 13800000001 and 13800000002 are the demo
# resident's and volunteer's accounts: the resident is registered with hers, nobody else gets either.
PHONE_PREFIXES = ("138", "139", "186", "188", "150", "135", "136", "137", "158", "159", "151", "187", "189", "152")
RESERVED_PHONES = frozenset({"13800000001", "13800000002"})

# Surnames with rough weights (the commonest first), and given-name pools by birth decade and gender.
SURNAMES = (
    "王24 李23 张22 刘17 陈12 杨10 赵9 黄6 周6 吴6 徐5 孙7 胡4 朱4 高5 林3 何3 郭4 马5 罗2 梁3 宋3 郑2 谢2 韩3 唐2 "
    "冯2 于3 董3 萧1 程2 曹2 袁2 邓2 许2 傅1 沈1 曾1 彭1 吕2 苏2 卢1 蒋1 蔡1 贾2 丁2 魏2 薛1 叶1 阎1 余1 潘1 杜2 戴1 "
    "夏1 钟1 汪1 田2 任2 姜2 范1 方1 石2 姚1 谭1 廖1 邹1 熊1 金2 陆1 郝2 孔1 白2 崔2 康1 毛1 邱1 秦1 江1 史2 顾1 侯1 "
    "邵1 孟2 龙1 万1 段1 雷1 钱1 汤1 尹1 黎1 易1 常2 武2 乔1 贺1 赖1 龚1 文1 关1 富1 那1 佟1"
).split()
GIVEN = {
    # born before 1960
    (
        0,
        Gender.MALE,
    ): "建国 建军 国庆 志强 德明 振华 玉山 宝林 长海 福生 国华 永林 树森 桂林 文斌 凤山 广才 德胜 秉义 世昌 "
    "玉清 金生 殿元 万福 庆祥 志远 国栋 保国 国强 建华",
    (
        0,
        Gender.FEMALE,
    ): "秀英 桂英 淑珍 玉兰 秀兰 凤英 桂兰 淑兰 秀珍 玉珍 淑英 素珍 玉梅 秀云 凤兰 桂芝 淑芬 玉华 秀芳 "
    "桂荣 淑琴 玉英 凤琴 秀荣 素英 文秀 月娥 金凤 玉芬 凤霞",
    # 1960–1989
    (1, Gender.MALE): "伟 勇 军 磊 涛 斌 强 鹏 杰 浩 刚 海涛 建华 立新 志刚 晓东 卫东 红兵 建平 海军 永刚 立军 宏伟 "
    "东升 晓光 国伟 志勇 学军 雪松 继东",
    (1, Gender.FEMALE): "丽 静 敏 燕 艳 娟 霞 芳 红 颖 丽娟 晓燕 春梅 秀梅 海燕 丽华 红梅 晓红 丽萍 雪梅 亚男 京京 "
    "燕妮 晓丽 红霞 卫红 小红 文静 立平 建英",
    # 1990–2009
    (2, Gender.MALE): "鑫 宇 浩 帅 博 晨 阳 昊 俊杰 子豪 浩然 宇航 家豪 晨阳 思远 天宇 一鸣 嘉伟 明轩 旭东 子健 宇飞 "
    "梓豪 佳乐 文博 泽宇 凯文 睿 昊天 天翔",
    (2, Gender.FEMALE): "婷 雪 倩 琳 悦 欣 佳 怡 思雨 欣怡 雨婷 佳琪 梦瑶 诗涵 婉婷 雨欣 晓雪 嘉怡 梦琪 思琪 静怡 "
    "雅琪 子琪 心怡 可欣 月 璐 晨曦 佳慧 紫涵",
    # 2010 and later
    (3, Gender.MALE): "子轩 浩宇 宇轩 梓睿 沐宸 一诺 睿泽 宸 铭 皓轩 子墨 俊熙 奕辰 梓航 宇泽 锦程 博文 若愚 "
    "嘉树 明哲 星辰 煜祺 承泽 知远 景行 亦凡 泽楷 安之 修远 思齐",
    (3, Gender.FEMALE): "梓涵 一诺 欣怡 子涵 雨桐 可馨 若汐 依诺 梓萱 语桐 沐 汐 思彤 安然 诗琪 芊芊 语嫣 梦琪 "
    "雨萱 书瑶 婉清 清妍 知意 念慈 星玥 安琪 佳怡 可昕 芷若 语汐",
}
# 境外: foreigners on passports (names as written in the passport), and Hong Kong, Macao and Taiwan residents
# on their mainland travel permits (Chinese names).
FOREIGN_GIVEN = {
    Gender.MALE: "John David Thomas Pierre Lucas Ivan Minjun Haruto Ali Daniel Marco Jonas Felix Omar".split(),
    Gender.FEMALE: "Anna Marie Sara Emma Olga Laura Yuki Jiwoo Aisha Lena Sofia Chloe Mia Nora".split(),
}
FOREIGN_FAMILY = (
    "Miller Smith Müller Dubois Petrov Rossi Silva García Kim Park Tanaka Sato Khan Weber Martin Novak".split()
)
# Minorities as they occur in Beijing: 满族 and 回族 first (old Dongcheng has both), then the rest.
ETHNIC_WEIGHTS = {"汉族": 9500, "满族": 230, "回族": 150, "蒙古族": 40, "朝鲜族": 20, "土家族": 12, "壮族": 10, "苗族": 8,
                  "藏族": 5, "维吾尔族": 5, "锡伯族": 4, "达斡尔族": 3}  # fmt: skip


def generation(birth_year: int) -> int:
    return 0 if birth_year < 1960 else 1 if birth_year < 1990 else 2 if birth_year < 2010 else 3


@cache
def valid_years(code: str) -> frozenset[int]:
    """The birth years for which stdnum accepts a number of this county (a county has the years it existed)."""
    years = set()
    for year in range(FIRST_BIRTH_YEAR, 2031):
        body = f"{code}{year}0101997"
        if ric.is_valid(body + check_digit(body)):
            years.add(year)
    return frozenset(years)


def check_digit(body: str) -> str:
    """GB 11643's ISO 7064 MOD 11-2 check character of the first 17 digits."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


class Identities:
    """Hands out names, documents and phones; numbers are never handed out twice."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.surnames = [s[0] for s in SURNAMES]
        self.surname_weights = [int(s[1:]) for s in SURNAMES]
        self.given: dict[tuple[int, str], list[str]] = {key: names.split() for key, names in GIVEN.items()}
        self.ethnic, self.ethnic_weights = list(ETHNIC_WEIGHTS), list(ETHNIC_WEIGHTS.values())
        assert set(self.ethnic) <= set(ETHNICITIES)
        self.used_ids: set[str] = set()  # region + birth date + sequence
        self.used_phones: set[str] = set(RESERVED_PHONES)
        self.documents = 0

    def surname(self) -> str:
        return self.rng.choices(self.surnames, self.surname_weights)[0]

    def name(self, gender: str, birth_year: int, surname: str | None = None) -> str:
        given = self.rng.choice(self.given[(generation(birth_year), gender)])
        return (surname or self.surname()) + given

    def ethnicity(self) -> str:
        return self.rng.choices(self.ethnic, self.ethnic_weights)[0]

    def home_region(self, beijing: bool) -> list[str]:
        """A family's counties of registration, most likely first: where a number is looked for."""
        table = BEIJING if beijing else ELSEWHERE
        first = self.rng.choices(list(table), list(table.values()))[0]
        return [first, *sorted(table, key=lambda c: -table[c])]

    def id_number(self, regions: list[str], birth: datetime.date, gender: str) -> tuple[str, datetime.date]:
        """A valid number on a reserved sequence code; the birth date moves by a day if every county of the
        list has used both of the gender's codes for it (rare: a few hundred people share a birthday): later
        for older people (never before FIRST_BIRTH_YEAR), earlier for younger ones (never in the future)."""
        step = datetime.timedelta(days=1 if birth.year < 2000 else -1)
        day = birth
        while True:
            for region in regions:
                if day.year not in valid_years(region):
                    continue
                for sequence in CENTENARIAN_SEQUENCES[Gender(gender)]:
                    body = f"{region}{day:%Y%m%d}{sequence}"
                    if body not in self.used_ids:
                        self.used_ids.add(body)
                        return body + check_digit(body), day
            day += step

    def document(self, kind: str) -> str:
        """A fictitious permit or passport number of the usual shape (5–32 letters and digits)."""
        self.documents += 1
        serial = f"{self.documents:05d}{self.rng.randrange(1000):03d}"
        if kind == IdType.HK_MACAO_PERMIT:
            return self.rng.choice("HM") + serial
        if kind == IdType.TAIWAN_PERMIT:
            return serial
        return "EX" + serial

    def phone(self) -> str:
        if len(self.used_phones) > 0.9 * len(PHONE_PREFIXES) * 10_000:
            raise RuntimeError("the placeholder phone blocks are used up: ask for fewer demo residents")
        while True:
            number = f"{self.rng.choice(PHONE_PREFIXES)}0000{self.rng.randrange(10_000):04d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def foreign_family(self) -> str:
        return self.rng.choice(FOREIGN_FAMILY)

    def foreign_name(self, gender: str, family: str) -> str:
        return f"{self.rng.choice(FOREIGN_GIVEN[Gender(gender)])} {family}"
