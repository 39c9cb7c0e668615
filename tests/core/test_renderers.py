"""The form renderer (``core.renderers``) writes exactly what Django's templates write."""

import re
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import override_settings
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given, settings
from hypothesis import strategies as st

from core import renderers
from core.renderers import FormRenderer
from tests.inventory.factories import PartFactory

OURS, DJANGOS = FormRenderer(), DjangoTemplates()

texts = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["<b>\"x\" & 'y'</b>", "", " ", "ä → ☃", "%s", "{{ x }}"]),
    st.just(mark_safe("<i>safe</i>")),
)
values = st.one_of(
    st.none(),
    texts,
    st.integers(-(10**6), 10**6),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.booleans(),
)
attr_values = st.one_of(st.booleans(), st.none(), texts, st.integers(0, 999))
attrs = st.dictionaries(
    st.sampled_from(["class", "data-x", "placeholder", "min", "step"]), attr_values
)

INPUTS = [
    forms.TextInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.URLInput,
    forms.HiddenInput,
    forms.SearchInput,
    forms.TelInput,
    forms.ColorInput,
    forms.DateInput,
    forms.DateTimeInput,
    forms.TimeInput,
    forms.CheckboxInput,
    lambda: forms.PasswordInput(render_value=True),
]


def both(widget, name, value, extra):
    ours = widget.render(name, value, attrs=dict(extra), renderer=OURS)
    theirs = widget.render(name, value, attrs=dict(extra), renderer=DJANGOS)
    return ours, theirs


@settings(max_examples=300)
@given(st.sampled_from(INPUTS), texts, values, attrs)
def test_inputs_are_written_as_django_writes_them(widget_class, name, value, extra):
    ours, theirs = both(widget_class(), name, value, extra)
    assert ours == theirs


choice_values = st.one_of(st.integers(0, 50), st.text(max_size=6))
choices = st.lists(st.tuples(choice_values, texts), max_size=6)
grouped = st.lists(st.tuples(texts.filter(bool), choices), max_size=3)


@settings(max_examples=300)
@given(st.one_of(choices, grouped), st.lists(choice_values, max_size=2), texts, attrs)
def test_selects_are_written_as_django_writes_them(options, chosen, name, extra):
    for widget in (forms.Select(choices=options), forms.SelectMultiple(choices=options)):
        value = chosen if isinstance(widget, forms.SelectMultiple) else chosen[:1]
        ours, theirs = both(widget, name, value, extra)
        assert ours == theirs


def test_labels_are_written_as_django_writes_them():
    class Form(forms.Form):
        plain = forms.CharField(label='Size <b>"big"</b>')
        lazy = forms.CharField(label=gettext_lazy("Name"))
        marked = forms.IntegerField(label=mark_safe("<abbr>Qty</abbr>"), required=False)
        question = forms.BooleanField(label="Active?")

    for auto_id in ("id_%s", False):
        ours, theirs = Form(renderer=OURS, auto_id=auto_id), Form(renderer=DJANGOS, auto_id=auto_id)
        for name in ours.fields:
            assert ours[name].label_tag() == theirs[name].label_tag()
            assert ours[name].label_tag(attrs={"class": "x", "hidden": True}) == theirs[
                name
            ].label_tag(attrs={"class": "x", "hidden": True})


def test_what_it_does_not_write_is_left_to_django():
    """Numbers as option labels (a template would localize them), widgets it has no writer
    for."""
    numbers = forms.Select(choices=[(1, Decimal("1.5")), (2, 3)])
    assert renderers._select(numbers.get_context("n", 1, {})) is None
    for widget in (numbers, forms.Textarea(), forms.RadioSelect(choices=[(1, "a")])):
        ours, theirs = both(widget, "f", None, {})
        assert ours == theirs


def test_a_template_that_differs_from_djangos_is_rendered_by_django(monkeypatch):
    monkeypatch.setitem(renderers.SHIPPED, "django/forms/widgets/select_option.html", "changed")
    renderer = FormRenderer()
    assert "django/forms/widgets/select.html" not in renderer._writers
    assert "django/forms/widgets/text.html" in renderer._writers


CSRF = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/parts/", "/parts/new/", "/stock/", "/vendors/", "/locations/"])
def test_pages_are_the_same_with_djangos_renderer(manager_page, site, url):
    PartFactory(site=site)

    def page(renderer: str) -> str:
        with override_settings(FORM_RENDERER=renderer):
            response = manager_page.get(url)
        assert response.status_code == 200
        return CSRF.sub(r"\1…", response.content.decode())

    assert page("core.renderers.FormRenderer") == page("django.forms.renderers.DjangoTemplates")
