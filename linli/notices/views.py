"""The inbox page and its two POST endpoints; every write goes through linli.notices.actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import actions
from .queries import inbox_for

PAGE_SIZE = 30


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(inbox_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notices/inbox.html", {"page": page})


@login_required
@require_POST
def read(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(inbox_for(request.user), pk=pk)
    try:
        actions.mark_read(request.user, notice)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("notices:inbox")
    # "Open" marks the notice read and follows its link (a path inside Linli, checked when it was written).
    if request.POST.get("open") and notice.link:
        return redirect(notice.link)
    return redirect("notices:inbox")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = actions.mark_all_read(request.user)
    messages.success(request, _("%(count)d notices marked read") % {"count": count})
    return redirect("notices:inbox")
