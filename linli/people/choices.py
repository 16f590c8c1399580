from django.db import models
from django.utils.translation import gettext_lazy as _


class IdType(models.TextChoices):
    """Identity documents a resident registers with (the types of the public-security 实有人口 forms)."""

    RESIDENT_ID = "resident_id", _("Resident identity card")
    HK_MACAO_PERMIT = "hk_macao_permit", _("Mainland travel permit for Hong Kong and Macao residents")
    TAIWAN_PERMIT = "taiwan_permit", _("Mainland travel permit for Taiwan residents")
    PASSPORT = "passport", _("Passport")
    FOREIGN_PERMANENT = "foreign_permanent", _("Foreigner's permanent residence ID card")
    OTHER = "other", _("Other document")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Residency(models.TextChoices):
    REGISTERED = "registered", _("Registered (户籍)")
    RESIDENT = "resident", _("Resident (常住)")
    FLOATING = "floating", _("Floating (流动)")
    OVERSEAS = "overseas", _("Overseas (境外)")


class Relation(models.TextChoices):
    """Relation to the head of household, as the 户口簿 writes it."""

    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDPARENT = "grandparent", _("Grandparent")
    GRANDCHILD = "grandchild", _("Grandchild")
    SIBLING = "sibling", _("Sibling")
    CHILD_IN_LAW = "child_in_law", _("Son- or daughter-in-law")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    NON_RELATIVE = "non_relative", _("Not related")


class HouseholdKind(models.TextChoices):
    FAMILY = "family", _("Family household")
    COLLECTIVE = "collective", _("Collective household")


class HouseUse(models.TextChoices):
    OWNER_OCCUPIED = "owner_occupied", _("Owner-occupied")
    RENTED = "rented", _("Rented out")
    VACANT = "vacant", _("Vacant")
    COMMERCIAL = "commercial", _("Commercial")


class CareTagKind(models.TextChoices):
    LIVING_ALONE_ELDERLY = "living_alone_elderly", _("Elderly living alone (独居老人)")
    ADVANCED_AGE = "advanced_age", _("Advanced age (高龄)")
    DISABLED = "disabled", _("Disabled (残疾)")
    SUBSISTENCE = "subsistence", _("Subsistence allowance (低保)")
    CHILD_IN_DIFFICULTY = "child_in_difficulty", _("Child in difficulty (困境儿童)")
    EMPTY_NEST = "empty_nest", _("Empty-nest elderly (空巢老人)")
    SERIOUS_ILLNESS = "serious_illness", _("Serious illness (大病)")
    KEY_CONCERN = "key_concern", _("Key concern (重点关注)")


# The visit rules a fresh database starts with (days between visits); communities change them on the rules page.
DEFAULT_VISIT_DAYS: dict[str, int | None] = {
    CareTagKind.LIVING_ALONE_ELDERLY: 7,
    CareTagKind.ADVANCED_AGE: 30,
    CareTagKind.DISABLED: 30,
    CareTagKind.SUBSISTENCE: 30,
    CareTagKind.CHILD_IN_DIFFICULTY: 14,
    CareTagKind.EMPTY_NEST: 14,
    CareTagKind.SERIOUS_ILLNESS: 14,
    CareTagKind.KEY_CONCERN: 7,
}


class TagSource(models.TextChoices):
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs list")
    DISABLED_FEDERATION = "disabled_federation", _("Disabled persons' federation")
    HOME_VISIT = "home_visit", _("Found on a home visit")
    SELF_DECLARED = "self_declared", _("Declared by the resident or family")
    COMMUNITY_ASSESSMENT = "community_assessment", _("Community assessment")


class VisitOutcome(models.TextChoices):
    WELL = "well", _("All well")
    NEEDS_ATTENTION = "needs_attention", _("Needs attention")
    REPORTED = "reported", _("Problem reported as a request")
    NOT_MET = "not_met", _("Not met in person")


class ConsentPurpose(models.TextChoices):
    REGISTRY = "registry", _("Registry of residents")
    CARE = "care", _("Care visits")
    VOLUNTEERING = "volunteering", _("Volunteer service")
    OWNERS_VOTING = "owners_voting", _("Owners' voting")
    CONTACT = "contact", _("Notices by phone")


class ConsentChannel(models.TextChoices):
    PAPER = "paper", _("Signed on paper")
    ONLINE = "online", _("Online")
    ORAL = "oral", _("Orally, recorded by staff")


class ImportKind(models.TextChoices):
    PERSONS = "persons", _("Persons and households")
    HOUSES = "houses", _("Houses and owners")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    CHECKING = "checking", _("Checking rows")
    WRITING = "writing", _("Writing")
    DONE = "done", _("Imported")
    REJECTED = "rejected", _("Rejected: nothing imported")
    FAILED = "failed", _("Failed: nothing imported")


# Retention after a person leaves (years), per residency type: what a fresh database starts with.
DEFAULT_RETENTION_YEARS = {
    Residency.REGISTERED: 10,
    Residency.RESIDENT: 5,
    Residency.FLOATING: 3,
    Residency.OVERSEAS: 3,
}
# Minors' records are sensitive personal information (个人信息保护法 art. 28, 31).
ADULT_AGE = 18
AGE_BANDS = ((0, 6), (7, 17), (18, 34), (35, 59), (60, 79), (80, 200))


def age_band(age: int) -> str:
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}+" if high >= 200 else f"{low}-{high}"
    return "?"


# The 56 ethnic groups in the order of GB/T 3304 (codes 01–56), plus its 97 (其他) and 98 (外国血统中国籍人士).
ETHNICITIES = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 黎族 "
    "傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 "
    "毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 "
    "塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族 其他 外国血统中国籍人士"
).split()
