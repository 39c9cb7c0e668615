"""The form renderer (``FORM_RENDERER``): Django's, with its commonest markup written in Python.

Every ``{{ field }}`` and label on a page goes through the form renderer, and Django's renders
each through templates: an ``<input>`` is three (``text.html`` includes ``input.html``, which
includes ``attrs.html``), a ``<select>`` one more per option. On a list page with a filter form
that was 1.5-2 ms of a 13 ms page in a profile; an A/B in one process measured 2-5 % off list
pages and 12-17 % off the part form (bench/README.md, fourth round). Here the templates whose
whole text is known (inputs of every type, ``<select>`` with its options, labels) are written
with string joins, to the character; any other template, and any of these that an app
overrides, is rendered by Django as before. ``tests/core/test_renderers.py`` compares the two.
"""

from functools import cached_property
from pathlib import Path

import django.forms
from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.html import conditional_escape

DJANGO_TEMPLATES = Path(django.forms.__file__).resolve().parent / "templates"

# The templates written here, with their text as Django ships it: if a Django upgrade changes
# one, it is left to Django (``_written_here``).
INCLUDES_INPUT = '{% include "django/forms/widgets/input.html" %}\n'
INPUT_TYPES = ("checkbox", "color", "date", "datetime", "email", "file", "hidden", "number")
INPUT_TYPES += ("password", "search", "tel", "text", "time", "url")
SHIPPED = {
    "django/forms/widgets/input.html": (
        '<input type="{{ widget.type }}" name="{{ widget.name }}"{% if widget.value != None %}'
        " value=\"{{ widget.value|stringformat:'s' }}\"{% endif %}"
        '{% include "django/forms/widgets/attrs.html" %}>\n'
    ),
    "django/forms/widgets/attrs.html": (
        "{% for name, value in widget.attrs.items %}{% if value is not False %} {{ name }}"
        "{% if value is not True %}=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}"
        "{% endfor %}"
    ),
    "django/forms/attrs.html": (
        "{% for name, value in attrs.items %}{% if value is not False %} {{ name }}"
        "{% if value is not True %}=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}"
        "{% endfor %}"
    ),
    "django/forms/label.html": (
        "{% if use_tag %}<{{ tag }}{% include 'django/forms/attrs.html' %}>{{ label }}</{{ tag }}>"
        "{% else %}{{ label }}{% endif %}\n"
    ),
    "django/forms/widgets/select.html": (
        '<select name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>'
        "{% for group_name, group_choices, group_index in widget.optgroups %}{% if group_name %}\n"
        '  <optgroup label="{{ group_name }}">{% endif %}{% for option in group_choices %}\n'
        "  {% include option.template_name with widget=option %}{% endfor %}{% if group_name %}\n"
        "  </optgroup>{% endif %}{% endfor %}\n</select>\n"
    ),
    "django/forms/widgets/select_option.html": (
        "<option value=\"{{ widget.value|stringformat:'s' }}\""
        '{% include "django/forms/widgets/attrs.html" %}>{{ widget.label }}</option>\n'
    ),
}
SHIPPED.update({f"django/forms/widgets/{t}.html": INCLUDES_INPUT for t in INPUT_TYPES})


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}``: ``str(value)``, escaped unless it is already markup."""
    return conditional_escape(value if isinstance(value, str) else str(value))


def _text(value) -> str | None:
    """``{{ value }}`` for text; None for anything a template would localize first (numbers,
    dates), which is left to Django."""
    if isinstance(value, str | Promise):
        return conditional_escape(value)
    return None


def _attrs(attrs: dict) -> str:
    """``attrs.html``: `` name="value"``, a bare name for True, nothing for False."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(context: dict) -> str:
    widget = context["widget"]
    value = widget["value"]
    shown = "" if value is None else f' value="{_formatted(value)}"'
    kind, name = conditional_escape(widget["type"]), conditional_escape(widget["name"])
    return f'<input type="{kind}" name="{name}"{shown}{_attrs(widget["attrs"])}>'


def _label(context: dict) -> str | None:
    label = _text(context["label"])
    if label is None:
        return None
    if not context["use_tag"]:
        return label
    tag = conditional_escape(context["tag"])
    return f"<{tag}{_attrs(context['attrs'] or {})}>{label}</{tag}>"


def _option(option: dict) -> str | None:
    label = _text(option["label"])
    if label is None or option["template_name"] != "django/forms/widgets/select_option.html":
        return None
    return (
        f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>{label}</option>'
    )


def _select(context: dict) -> str | None:
    widget = context["widget"]
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            group = _text(group_name)
            if group is None:
                return None
            parts.append(f'\n  <optgroup label="{group}">')
        for option in group_choices:
            written = _option(option)
            if written is None:
                return None
            parts.append(f"\n  {written}\n")  # the included template ends with a newline
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


WRITERS = {
    "django/forms/label.html": _label,
    "django/forms/widgets/select.html": _select,
    **{f"django/forms/widgets/{t}.html": _input for t in INPUT_TYPES},
}
# What each writer's output depends on besides its own template.
USES = {
    "django/forms/label.html": ("django/forms/attrs.html",),
    "django/forms/widgets/select.html": (
        "django/forms/widgets/attrs.html",
        "django/forms/widgets/select_option.html",
    ),
}
INPUT_USES = ("django/forms/widgets/input.html", "django/forms/widgets/attrs.html")


class FormRenderer(DjangoTemplates):
    """Django's ``DjangoTemplates`` form renderer with the writers above."""

    def render(self, template_name, context, request=None):
        writer = self._writers.get(template_name)
        if writer is not None:
            written = writer(context)
            if written is not None:
                return written
        return super().render(template_name, context, request=request)

    @cached_property
    def _writers(self) -> dict:
        """The writers whose templates (and what they include) are Django's own, unchanged."""
        return {
            name: writer
            for name, writer in WRITERS.items()
            if all(self._written_here(t) for t in (name, *USES.get(name, INPUT_USES)))
        }

    def _written_here(self, template_name: str) -> bool:
        origin = Path(self.get_template(template_name).origin.name).resolve()
        if not origin.is_relative_to(DJANGO_TEMPLATES):
            return False  # an app overrides it
        return origin.read_text() == SHIPPED[template_name]
