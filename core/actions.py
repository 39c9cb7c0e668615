"""The page action: one shape for every write a page offers on a record.

A stock action on a part today, a work-order transition or a build action next: a small form
posted with HTMX, one service call, and one partial back that replaces the panel that was
submitted. On refusal the panel comes back with the errors next to the fields and the typed
values kept; on success it comes back with the success state in the panel itself ("Restocked 10
pcs; 34 on hand", ``role="status"``, focused) and the figures around it refreshed out of band.
Without JavaScript the same URL works as a page of its own that redirects back on success.

A subclass names the record (``get_object``), the form, the one service call (``perform``, which
returns the success message) and the template pieces; ``ActionView`` does the rest the same way
everywhere.
"""

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views import View

from core.errors import ServiceError
from core.models import Role
from core.pages import is_partial_request, refusal, render_page


class ActionView(View):
    """Form (GET), or form -> service -> panel (POST), for one record of the current site.

    Set on a subclass:

    - ``required_role``: who may act (pages answer 403 below it; the service checks again);
    - ``form_class`` and ``get_form_kwargs()`` for what the form needs beyond the data;
    - ``template_name`` with a partial ``panel_partial``: the panel the form lives in. The panel
      gets ``object``, ``form``, ``notice``, ``action`` (this view) and ``action_url``; the full
      template is the no-JavaScript page around it;
    - ``get_object()``: the record, looked up in the request's site (404 otherwise);
    - ``perform(form) -> str``: call one service with ``form.cleaned_data`` and return the
      success message; a ``ServiceError`` it raises lands on the form's fields;
    - ``refresh_template`` and ``refresh_partials``: partials re-rendered out of band after a
      success (each one's root element has an ``id`` and ``{{ oob_attr }}``), with the context
      from ``get_refresh_context()``;
    - ``get_success_url()``: where the no-JavaScript page goes after a success.

    ``form_after_success`` (default true) shows a fresh form under the success message, for the
    next restock; an action whose record may be gone afterwards (scrap all) sets it false.
    """

    http_method_names = ["get", "post"]
    required_role: Role = Role.MANAGER
    form_class = None
    template_name: str = ""
    panel_partial = "panel"
    refresh_template: str = ""
    refresh_partials: tuple[str, ...] = ()
    form_after_success = True

    def dispatch(self, request, *args, **kwargs):
        refused = refusal(request, self.required_role)
        if refused is not None:
            return refused
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    # --- What a subclass provides ---------------------------------------------------------------

    def get_object(self):
        raise ImproperlyConfigured(f"{type(self).__name__} must define get_object().")

    def perform(self, form) -> str:
        raise ImproperlyConfigured(f"{type(self).__name__} must define perform().")

    def get_form_kwargs(self) -> dict:
        return {}

    def get_refresh_context(self) -> dict:
        return {}

    def get_success_url(self) -> str:
        return self.object.get_absolute_url()

    # --- The shape ------------------------------------------------------------------------------

    def get_form(self, data=None):
        return self.form_class(data, **self.get_form_kwargs())

    def get(self, request, *args, **kwargs):
        return self.render_panel(self.get_form())

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                notice = self.perform(form)
            except ServiceError as exc:
                form.add_service_errors(exc)
            else:
                return self.succeeded(notice)
        return self.render_panel(form)

    def succeeded(self, notice: str):
        if not is_partial_request(self.request):
            messages.success(self.request, notice)
            return redirect(self.get_success_url())
        self.object = self.get_object()  # as stored after the write
        form = self.get_form() if self.form_after_success else None
        response = self.render_panel(form, notice=notice)
        response.content += self.render_refreshed().encode()
        return response

    def get_context_data(self, **kwargs) -> dict:
        return {
            "object": self.object,
            "action": self,
            "action_url": self.request.path,
            "notice": "",
            **kwargs,
        }

    def render_panel(self, form, *, notice: str = ""):
        """The panel for HTMX, else the whole page around it (a refusal answers 200 either way:
        the errors are the content)."""
        context = self.get_context_data(form=form, notice=notice)
        return render_page(self.request, self.template_name, context, partial=self.panel_partial)

    def render_refreshed(self) -> str:
        """The partials around the panel, as they are after the write, swapped in out of band."""
        if not self.refresh_partials:
            return ""
        context = {**self.get_refresh_context(), "oob_attr": mark_safe('hx-swap-oob="true"')}
        return "".join(
            render_to_string(f"{self.refresh_template}#{name}", context, request=self.request)
            for name in self.refresh_partials
        )
