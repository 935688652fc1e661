"""HTML screens for correcting what was entered: the client after intake, a service (correct
or void, with a reason), a note (an addendum; the note itself never changes).

Same doorway as every case screen: the case through ``access_case`` (404 when not visible),
``can_*`` for the action (403 when visible but not allowed), writes through the services.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from cases import corrections
from cases.correction_forms import AddendumForm, ClientEditForm, ServiceCorrectForm, VoidForm
from cases.policies import access_note, access_service, can_add_addendum, visible_identities
from cases.services import client_update
from cases.views import _errors_text, _form_page, _to_case, _writable_case
from taskforce.access import NotFoundOrForbidden
from taskforce.audit import audit_record
from taskforce.tenancy import tenant_view
from taskforce.web import form_status


@tenant_view
@require_http_methods(["GET", "POST"])
def client_edit_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    case = _writable_case(request, case_id)
    identity = visible_identities(actor).filter(client_id=case.client_id).first()
    if identity is None:
        raise NotFoundOrForbidden
    form = ClientEditForm(request.POST or None, identity=identity, client=case.client)
    if request.method == "POST" and form.is_valid():
        try:
            changed = client_update(actor=actor, case=case, data=form.changes())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Client details saved." if changed else "Nothing was changed.")
            return _to_case(request, case)
    else:
        audit_record(action="case.viewed", actor=actor, target=case, detail={"screen": "client_edit"})
    context = {
        "case": case,
        "form": form,
        "name": identity.display_name,
    }
    return render(request, "cases/client_edit.html", context, status=form_status(form))


@tenant_view
@require_http_methods(["GET", "POST"])
def service_correct_view(request: HttpRequest, case_id: uuid.UUID, service_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    case = _writable_case(request, case_id)
    service = access_service(actor, case, service_id)
    if service.voided_at is not None:
        messages.error(request, "A voided service cannot be corrected.")
        return _to_case(request, case, "timeline")
    form = ServiceCorrectForm(request.POST or None, actor=actor, case=case, service=service)
    if request.method == "POST" and form.is_valid():
        try:
            changed = corrections.service_correct(
                actor=actor, service=service, changes=form.changes(), reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except corrections.ServiceVoided:
            messages.error(request, "A voided service cannot be corrected.")
            return _to_case(request, case, "timeline")
        else:
            messages.success(request, "Service corrected." if changed else "Nothing was changed.")
            return _to_case(request, case, "timeline")
    return _form_page(
        request,
        case,
        form,
        title="Correct a service",
        submit="Save correction",
        intro="The earlier values and your reason are kept with the service. "
        "Reports count the corrected service.",
    )


@tenant_view
@require_POST
def service_void_view(request: HttpRequest, case_id: uuid.UUID, service_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    case = _writable_case(request, case_id)
    service = access_service(actor, case, service_id)
    form = VoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the service is voided (at most 300 characters).")
        return _to_case(request, case, "timeline")
    try:
        corrections.service_void(actor=actor, service=service, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    except corrections.ServiceVoided:
        messages.error(request, "This service is already voided.")
    else:
        messages.success(request, "Service voided. It stays on the case and no longer counts in reports.")
    return _to_case(request, case, "timeline")


@tenant_view
@require_POST
def note_addendum_view(request: HttpRequest, case_id: uuid.UUID, note_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    case = _writable_case(request, case_id)
    note = access_note(actor, case, note_id)
    if not can_add_addendum(actor, case, note):
        raise PermissionDenied
    form = AddendumForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write the addendum (at most 20,000 characters).")
        return _to_case(request, case, f"note-{note.pk}")
    try:
        corrections.note_addendum_add(actor=actor, case=case, note=note, text=form.cleaned_data["text"])
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    else:
        messages.success(request, "Addendum added. The note stays as it was written.")
    return _to_case(request, case, f"note-{note.pk}")
