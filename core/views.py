"""Core pages: dashboard, site switcher, locations, background-task progress, account and tokens.

Views stay thin: they scope by the request's site (``core.pages``), let forms check the shape of
the input and call the same services as the API, turning a ``ServiceError`` into inline errors.
With HTMX the location forms open inline in the tree and a successful write swaps in the
refreshed tree; without JavaScript every page still works as plain forms and redirects.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget, trigger_client_event

from core import selectors, services
from core.dashboard import card_for, dashboard_cards
from core.errors import ServiceError
from core.filters import LocationFilter
from core.forms import DefaultSiteForm, LocationForm, SiteSwitchForm, TokenCreateForm
from core.location_panels import (
    location_count_legends,
    location_figures,
    location_sections,
    targeted_section,
)
from core.models import Location, Role, TaskRecord
from core.pages import (
    get_site_object_or_404,
    int_or_404,
    is_partial_request,
    render_page,
    site_required,
)
from core.pagination import Paginator
from core.sites import SESSION_KEY, membership_by_site_id, user_memberships


def server_error(request):
    """The 500 page, rendered without the request so no context processor can fail again."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Server error.")}, status=500)
    return HttpResponseServerError(loader.render_to_string("500.html"))


# --- Shell: dashboard and site switcher -----------------------------------------------------------


@site_required
def dashboard(request):
    """Home: the site at a glance, the cards the apps register (``core.dashboard``)."""
    return render(request, "core/dashboard.html", {"cards": dashboard_cards(request)})


@site_required
def dashboard_card(request, key: str):
    """One live card of the dashboard, as its slot asks for it again every so often."""
    card = card_for(request, key)
    if card is None:
        raise Http404
    return render(request, "core/_dashboard_slot.html", {"card": card})


def _safe_next(request, candidate: str, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


@login_required
@require_POST
def site_switch(request):
    """Work in another of your sites. A site you are not a member of is refused (403)."""
    form = SiteSwitchForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a site to switch to."))
        return redirect(_safe_next(request, request.POST.get("next", ""), reverse("dashboard")))
    membership = membership_by_site_id(request.user, form.cleaned_data["site"])
    request.session[SESSION_KEY] = membership.site_id
    messages.info(request, _("You are now working in %(site)s.") % {"site": membership.site.name})
    target = _safe_next(request, form.cleaned_data["next"], reverse("dashboard"))
    if request.htmx:
        # Everything on the page belongs to the old site: reload all of it, not a fragment.
        return HttpResponseClientRedirect(target)
    return redirect(target)


# --- Locations ------------------------------------------------------------------------------------


TREE_MATCHES_PAGE = 50


def _tree_nodes(tree: list[dict]) -> list[dict]:
    """Every node of a tree (nested, or one level), depth first."""
    nodes, stack = [], list(tree)
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node["children"] or ())
    return nodes


def _with_figures(site, nodes: list[dict]) -> list[dict]:
    """Each node with its ``figures``: the counts the apps register for a row of the tree
    (``core.location_panels``; inventory's stock items), asked once for all the rows shown."""
    figures = location_figures(site, [node["location"].pk for node in nodes])
    for node in nodes:
        node["figures"] = figures[node["location"].pk]
    return nodes


def _lineage_ids(location: Location) -> set[int]:
    """The location and the locations above it: the branches to open to show it."""
    return {int(pk) for pk in location.lineage.strip("/").split("/") if pk}


def _tree_context(request, q: str = "", **extra) -> dict:
    """The tree (whole when small, else level by level), or with a search term a page of the
    matches (each shows its path); every row with the figures the apps register for it."""
    q = q.strip()
    context = {
        "q": q,
        "tree": None,
        "matches": None,
        "open_ids": set(),
        "count_legends": location_count_legends(),
        **extra,
    }
    if q:
        located = LocationFilter(
            {"q": q}, queryset=selectors.locations_for_site(site=request.site)
        ).qs
        context["matches"] = Paginator(located.order_by("path", "pk"), TREE_MATCHES_PAGE).get_page(
            request.GET.get("page")
        )
        context["match_nodes"] = _with_figures(
            request.site, [{"location": m, "children": None} for m in context["matches"]]
        )
    else:
        context["tree"] = selectors.location_tree(site=request.site)
        _with_figures(request.site, _tree_nodes(context["tree"]))
    return context


def _tree_response(request, **extra):
    """The refreshed tree fragment, swapped over the tree whatever element sent the request."""
    q = request.POST.get("q") or request.GET.get("q") or ""
    response = render(request, "core/locations.html#tree", _tree_context(request, q, **extra))
    return reswap(retarget(response, "#location-tree"), "outerHTML")


@site_required
def location_list(request):
    """The site's location tree; HTMX live search swaps only the tree, and opening a level of a
    large tree (``?parent=<id>``) fetches only the locations directly inside it. Branches below
    the top level start closed, so a phone shows a plant's buildings and areas, not every bin;
    a row's actions are on the location's page."""
    if request.GET.get("parent") and is_partial_request(request):
        parent = get_site_object_or_404(request, Location, pk=int_or_404(request.GET["parent"]))
        level = _with_figures(
            request.site, selectors.location_tree(site=request.site, parent=parent)
        )
        return render(request, "core/locations.html#level", {"tree": level, "open_ids": set()})
    context = _tree_context(request, request.GET.get("q", ""))
    # A path repair still running (started here or elsewhere) shows its progress bar on arrival.
    context["site_tasks"] = selectors.active_tasks_for(request.site)
    return render_page(request, "core/locations.html", context, partial="tree")


@site_required
def location_detail(request, pk: int):
    """One location: its breadcrumb, what the apps show about it (``core.location_panels``:
    inventory's stock stored there, so scanning a bin's label shows what is in it), the
    locations inside it and its details. An HTMX request for one section (its pager) gets that
    section alone."""
    location = get_site_object_or_404(request, Location, pk=pk)
    section = targeted_section(request, location) if is_partial_request(request) else None
    if section is not None:
        context = {"location": location, "section": section}
        response = render(request, "core/_location_section.html", context)
    else:
        context = {
            "location": location,
            "ancestors": selectors.location_ancestors(location=location),
            "children": selectors.location_children(location=location),
            "sections": location_sections(request, location),
        }
        response = render(request, "core/location_detail.html", context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def _location_form_page(request, form, *, location=None, parent=None):
    """The form: inline in the tree for HTMX (it posts back with HTMX), else a full page."""
    context = {
        "form": form,
        "location": location,
        "parent": parent,
        "action": request.get_full_path(),
        "inline": is_partial_request(request),
    }
    return render_page(request, "core/location_form.html", context, partial="form")


def _location_saved(request, location, message: str):
    if is_partial_request(request):
        return _tree_response(
            request, notice=message, highlight=location.pk, open_ids=_lineage_ids(location)
        )
    messages.success(request, message)
    return redirect("location-detail", pk=location.pk)


@site_required(role=Role.MANAGER)
def location_create(request):
    """Add a location, at the top level or inside ``?parent=<id>``."""
    parent = None
    parent_id = request.GET.get("parent", "")
    if parent_id:
        parent = get_site_object_or_404(request, Location, pk=int_or_404(parent_id))
    if request.method != "POST":
        form = LocationForm(site=request.site, initial={"parent": parent})
        return _location_form_page(request, form, parent=parent)
    form = LocationForm(request.POST, site=request.site)
    if form.is_valid():
        try:
            location = services.location_create(
                site=request.site, by=request.user, **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_service_errors(exc)
        else:
            return _location_saved(
                request, location, _("Location “%(name)s” added.") % {"name": location.name}
            )
    return _location_form_page(request, form, parent=parent)


@site_required(role=Role.MANAGER)
def location_edit(request, pk: int):
    """Rename or move a location; the service rewrites the paths of everything below it."""
    location = get_site_object_or_404(request, Location, pk=pk)
    if request.method != "POST":
        form = LocationForm(site=request.site, instance=location)
        return _location_form_page(request, form, location=location)
    form = LocationForm(request.POST, site=request.site, instance=location)
    if form.is_valid():
        try:
            location = services.location_update(
                location=location, by=request.user, **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_service_errors(exc)
        else:
            return _location_saved(
                request, location, _("Location “%(name)s” saved.") % {"name": location.name}
            )
    return _location_form_page(request, form, location=location)


# The field a delete must carry: a POST without it (a browser without JavaScript submitting the
# location page's Delete button) is answered with the confirmation page, never a deletion.
DELETE_CONFIRMED = ("confirm", "yes")
# The id of the location page's delete form: an htmx delete that targets it is answered there.
DELETE_FORM_ID = "location-delete"


def _location_delete_page(request, location: Location):
    """The question before a delete: what deleting means, and what keeps it from happening."""
    context = {
        "location": location,
        "children_count": selectors.location_children(location=location).count(),
        "figures": location_figures(request.site, [location.pk])[location.pk],
        "confirm_field": DELETE_CONFIRMED,
    }
    return render(request, "core/location_delete.html", context)


@site_required(role=Role.MANAGER)
def location_delete(request, pk: int):
    """Delete a location, asking first. A GET, or a POST without ``confirm=yes``, shows the
    confirmation page, whose form deletes; with JavaScript the location page's form asks in a
    dialog (``data-confirm``) and htmx sends it with the field. A refusal (locations or stock
    inside) is shown where the delete was asked for: the page's form, the tree, or the page."""
    location = get_site_object_or_404(request, Location, pk=pk)
    partial = is_partial_request(request)
    field, value = DELETE_CONFIRMED
    if request.method != "POST" or request.POST.get(field) != value:
        if partial:  # never delete unasked: the whole page becomes the question
            return HttpResponseClientRedirect(reverse("location-delete", args=[pk]))
        return _location_delete_page(request, location)
    from_page_form = partial and request.htmx.target == DELETE_FORM_ID
    name = location.name
    try:
        services.location_delete(location=location, by=request.user)
    except ServiceError as exc:
        error = " ".join(m for msgs in exc.errors.values() for m in msgs)
        if from_page_form:
            context = {"location": location, "delete_error": error}
            return render(request, "core/location_detail.html#delete", context)
        if partial:
            return _tree_response(request, error=error)
        messages.error(request, error)
        return redirect("location-detail", pk=pk)
    notice = _("Location “%(name)s” deleted.") % {"name": name}
    if partial and not from_page_form:
        return _tree_response(request, notice=notice)
    messages.success(request, notice)
    if from_page_form:
        return HttpResponseClientRedirect(reverse("location-list"))
    return redirect("location-list")


@site_required(role=Role.ADMIN)
@require_POST
def location_rebuild_paths(request):
    """Queue the path repair; the page shows a progress bar that polls the task."""
    record = services.location_paths_rebuild_start(site=request.site, by=request.user)
    # In embedded mode the task has already run by now; show its real state.
    record.refresh_from_db()
    if not is_partial_request(request):
        return redirect("task-detail", pk=record.pk)
    return _task_fragment(request, record)


# --- Background tasks -----------------------------------------------------------------------------


@site_required
def task_detail(request, pk):
    """A task's progress. Polled by ``core/_task_progress.html``; any app's task can use it.

    Once finished, the fragment stops polling and fires ``taskFinished`` so the page can refresh
    whatever the task changed.
    """
    task = get_site_object_or_404(request, TaskRecord, pk=pk)
    if is_partial_request(request):
        return _task_fragment(request, task)
    return render(request, "core/task_detail.html", {"task": task})


def _task_fragment(request, task: TaskRecord):
    response = render(request, "core/_task_progress.html", {"task": task})
    patch_vary_headers(response, ("HX-Request",))
    if task.is_finished:
        trigger_client_event(response, "taskFinished", {"id": str(task.pk), "state": task.state})
    return response


# --- Account and API tokens -----------------------------------------------------------------------


def _account_context(request, **extra) -> dict:
    context = {
        "memberships": user_memberships(request.user),
        "tokens": selectors.tokens_for_user(user=request.user),
        "token_form": TokenCreateForm(),
        "default_site_form": DefaultSiteForm(user=request.user),
        "example_site": getattr(request, "site", None),
    }
    context.update(extra)
    return context


@login_required
def account(request):
    """Who you are, where you work, and your API tokens. Needs no site: it is about the user."""
    return render(request, "core/account.html", _account_context(request))


@login_required
@require_POST
def account_default_site(request):
    form = DefaultSiteForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.user_set_default_site(user=request.user, site=form.cleaned_data["site"])
        except ServiceError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("%(site)s is now your default site.") % {"site": form.cleaned_data["site"]},
            )
            return redirect("account")
    return render(request, "core/account.html", _account_context(request, default_site_form=form))


@login_required
@require_POST
def token_create(request):
    """Create a token and show its key once. The key is rendered, never stored or redirected."""
    form = TokenCreateForm(request.POST)
    new_token = new_key = None
    if form.is_valid():
        try:
            new_token, new_key = services.api_token_create(user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_service_errors(exc)
        else:
            form = TokenCreateForm()
    context = _account_context(request, token_form=form, new_token=new_token, new_key=new_key)
    response = render_page(request, "core/account.html", context, partial="tokens")
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def token_revoke(request, pk: int):
    """Revoke one of your tokens; anyone else's token does not exist for you (404)."""
    token = get_object_or_404(selectors.tokens_for_user(user=request.user), pk=pk)
    token = services.api_token_revoke(token=token, by=request.user)
    if is_partial_request(request):
        return render(request, "core/account.html#token_row", {"token": token})
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("account")
