from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    COMMAND_CENTRE = "command_centre", _("District command centre")
    DISTRICT_DEPARTMENT = "district_department", _("District department")
    STREET_OFFICE = "street_office", _("Street office")
    COMMUNITY_COMMITTEE = "community_committee", _("Community committee")
    PROPERTY_COMPANY = "property_company", _("Property company")
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")
    SERVICE_PROVIDER = "service_provider", _("Service provider")


class DepartmentType(models.TextChoices):
    URBAN_MANAGEMENT = "urban_management", _("Urban management commission")
    CITY_ENFORCEMENT = "city_enforcement", _("Urban law enforcement bureau")
    HOUSING_CONSTRUCTION = "housing_construction", _("Housing and construction commission")
    HOUSING_MANAGEMENT = "housing_management", _("Housing and property management")
    HUMAN_RESOURCES = "human_resources", _("Human resources and social security bureau")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs bureau")
    MEDICAL_SECURITY = "medical_security", _("Medical security bureau")
    EDUCATION = "education", _("Education commission")
    CULTURE_TOURISM = "culture_tourism", _("Culture and tourism bureau")
    SPORTS = "sports", _("Sports bureau")
    COMMERCE = "commerce", _("Commerce bureau")
    MARKET_REGULATION = "market_regulation", _("Market regulation bureau")
    ECOLOGY_ENVIRONMENT = "ecology_environment", _("Ecology and environment bureau")
    WATER = "water", _("Water authority")
    LANDSCAPING = "landscaping", _("Landscaping and greening bureau")
    HEALTH = "health", _("Health commission")
    TRANSPORT = "transport", _("Transport commission")
    TRAFFIC_POLICE = "traffic_police", _("Traffic police")
    PUBLIC_SECURITY = "public_security", _("Public security bureau")
    PLANNING = "planning", _("Planning and natural resources")
    EMERGENCY_MANAGEMENT = "emergency_management", _("Emergency management bureau")
    POWER_UTILITY = "power_utility", _("Power supply company")
    GAS_UTILITY = "gas_utility", _("Gas company")
    HEATING_UTILITY = "heating_utility", _("Heating company")


class OwnerLevel(models.TextChoices):
    COMMUNITY = "community", _("Community")
    STREET = "street", _("Street")
    DISTRICT = "district", _("District department")


class MatterClass(models.TextChoices):
    """The seven first-level classes of the real citizen messages (teddy2020 附件2)."""

    URBAN_RURAL_CONSTRUCTION = "城乡建设", _("Urban and rural construction")
    LABOUR_SOCIAL_SECURITY = "劳动和社会保障", _("Labour and social security")
    EDUCATION_CULTURE_SPORTS = "教育文体", _("Education, culture and sports")
    COMMERCE_TOURISM = "商贸旅游", _("Commerce and tourism")
    ENVIRONMENT = "环境保护", _("Environmental protection")
    HEALTH_FAMILY_PLANNING = "卫生计生", _("Health and family planning")
    TRANSPORT = "交通运输", _("Transport")


class CaseType(models.TextChoices):
    EVENT = "事件", _("Event")
    COMPONENT = "部件", _("Component")
    REQUEST = "诉求", _("Request")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
