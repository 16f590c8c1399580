from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    GRID_WORKER = "grid_worker", _("Grid worker")
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    COMMUNITY_SECRETARY = "community_secretary", _("Community secretary")
    STREET_DISPATCHER = "street_dispatcher", _("Street dispatcher")
    DEPARTMENT_HANDLER = "department_handler", _("Department handler")
    DISTRICT_COMMAND = "district_command", _("District command")
    VOLUNTEER = "volunteer", _("Volunteer / party member")
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    AUDITOR = "auditor", _("Auditor")
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")


# Roles that work on the government side and so are scoped by places and units.
STAFF_ROLES = frozenset(
    {
        Role.GRID_WORKER,
        Role.COMMUNITY_WORKER,
        Role.COMMUNITY_SECRETARY,
        Role.STREET_DISPATCHER,
        Role.DEPARTMENT_HANDLER,
        Role.DISTRICT_COMMAND,
        Role.PLATFORM_ADMIN,
    }
)
# Roles whose work needs phone numbers and identity numbers in the clear (with every view logged).
UNMASK_ROLES = frozenset(
    {Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.STREET_DISPATCHER, Role.PLATFORM_ADMIN}
)


class PhoneCodePurpose(models.TextChoices):
    LOGIN = "login", _("Log in")
    SIGNUP = "signup", _("Sign up")


# Most senior first: the home page a user with several roles opens on until they pick another.
ROLE_SENIORITY = (
    Role.PLATFORM_ADMIN,
    Role.DISTRICT_COMMAND,
    Role.AUDITOR,
    Role.STREET_DISPATCHER,
    Role.DEPARTMENT_HANDLER,
    Role.COMMUNITY_SECRETARY,
    Role.COMMUNITY_WORKER,
    Role.GRID_WORKER,
    Role.SERVICE_PROVIDER,
    Role.VOLUNTEER,
    Role.RESIDENT,
)
