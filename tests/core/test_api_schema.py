"""The OpenAPI schema is complete and warning-free; the docs UI is served from this server only."""

import contextlib
import io
import json
import re
from urllib.parse import urlsplit

import pytest
import yaml
from django.core.management import call_command

from tests.helpers import html

SITE_SCOPED = ("/api/locations/", "/api/users/", "/api/tasks/", "/api/batch/")


@pytest.fixture(scope="module")
def schema_run(tmp_path_factory, django_db_blocker):
    """Generate and validate the schema once, failing on any warning; keep what it printed."""
    out = tmp_path_factory.mktemp("schema") / "schema.json"
    stderr = io.StringIO()
    with django_db_blocker.unblock(), contextlib.redirect_stderr(stderr):
        call_command(
            "spectacular",
            "--fail-on-warn",
            "--validate",
            "--format",
            "openapi-json",
            "--file",
            str(out),
            stderr=stderr,
        )
    return json.loads(out.read_text()), stderr.getvalue()


@pytest.fixture
def schema(schema_run):
    return schema_run[0]


def test_the_schema_generates_and_validates_without_warnings(schema_run):
    _schema, printed = schema_run
    assert "warning" not in printed.lower() and "error" not in printed.lower(), printed


@pytest.mark.parametrize(
    "path", ["/api/", "/api/locations/", "/api/batch/", "/api/tasks/{id}/", "/api/user/token/"]
)
def test_the_schema_documents_the_core_paths(schema, path):
    assert path in schema["paths"]


def operations(schema, prefix: str):
    for path, item in schema["paths"].items():
        if path.startswith(prefix):
            for method, operation in item.items():
                if method in ("get", "post", "put", "patch", "delete"):
                    yield f"{method} {path}", operation


@pytest.mark.parametrize("prefix", SITE_SCOPED)
def test_site_scoped_operations_document_the_site_header(schema, prefix):
    found = list(operations(schema, prefix))
    assert found
    for name, operation in found:
        headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        assert "X-Site-Id" in headers, name


def test_account_operations_do_not_take_a_site_header(schema):
    for name, operation in operations(schema, "/api/user/"):
        assert all(p["name"] != "X-Site-Id" for p in operation.get("parameters", [])), name


def test_the_token_scheme_is_documented_and_used(schema):
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": "Authorization"}
    location_list = schema["paths"]["/api/locations/"]["get"]
    assert {"tokenAuth": []} in location_list["security"]


def test_the_root_needs_no_credentials(schema):
    operation = schema["paths"]["/api/"]["get"]
    effective = operation.get("security", schema.get("security", []))
    assert effective in ([], [{}])


# --- The docs page --------------------------------------------------------------------------------


@pytest.fixture
def docs(client, tech_user):
    client.force_login(tech_user)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    return client, response.content.decode()


def referenced(page: str) -> list[str]:
    """Every ``src`` and ``href`` of the page's elements."""
    return [
        element[attribute]
        for element in html(page).find_all(True)
        for attribute in ("src", "href")
        if element.has_attr(attribute)
    ]


def test_the_docs_page_names_no_outside_host(docs):
    _client, page = docs
    assert not re.search(r"(?i)\b(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", page), page
    for url in referenced(page):
        assert not urlsplit(url).netloc, url


def test_the_docs_page_turns_off_the_online_validator(docs):
    _client, page = docs
    assert re.search(r'"validatorUrl":\s*null', page)


def test_the_docs_page_assets_are_served_by_this_server(docs):
    client, page = docs
    assets = [url for url in referenced(page) if url.endswith((".js", ".css"))]
    assert len(assets) >= 3, assets  # swagger-ui.css, -bundle.js, -standalone-preset.js
    for url in assets:
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()


def test_the_schema_endpoint_serves_signed_in_users(tech_api):
    response = tech_api.get("/api/schema/")
    assert response.status_code == 200
    served = yaml.safe_load(response.content)
    assert served["openapi"].startswith("3.") and "/api/locations/" in served["paths"]
