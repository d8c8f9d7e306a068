"""The import page of a team (its managers and admins): upload a CSV, see every error or what came in."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from accounts.models import Team
from accounts.selectors import user_manages

from .forms import ImportForm
from .models import ImportKind, ImportRun
from .rows import MAX_BYTES, columns_of
from .services import csv_import


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request, team_id: int):
    team = get_object_or_404(Team, pk=team_id)
    if not user_manages(request.user, team.pk):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read(MAX_BYTES + 1)
            result = csv_import(
                actor=request.user, team=team, kind=form.cleaned_data["kind"], data=data, filename=upload.name,
                dry_run=form.cleaned_data["dry_run"],
            )
            status = 200 if result.ok else 400
        else:
            status = 400
    context = {
        "team": team,
        "form": form,
        "result": result,
        "columns": {kind.label: columns_of(kind) for kind in ImportKind},
        "runs": ImportRun.objects.filter(team=team).select_related("actor")[:10],
    }
    return render(request, "imports/import.html", context, status=status)
