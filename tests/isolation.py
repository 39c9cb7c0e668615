"""Shared proofs that an endpoint keeps sites apart and checks roles; every app's tests use them.

``assert_site_isolated`` takes a client of a user who is an *admin of another site* (so a refusal
cannot be a role refusal) and proves the object is invisible and untouchable: 404 on read, on every
write and on every action, and absent from the list.
"""

from collections.abc import Iterable

UNSAFE = ("put", "patch", "delete")


def list_ids(api, list_url: str, key: str = "id") -> list:
    ids, url = [], list_url
    while url:
        response = api.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content)
        body = response.json()
        rows = body["results"] if isinstance(body, dict) else body
        ids += [row[key] for row in rows]
        url = body.get("next") if isinstance(body, dict) else None
    return ids


def assert_site_isolated(
    other_site_api,
    *,
    detail_url: str,
    list_url: str | None = None,
    obj_id=None,
    methods: Iterable[str] = ("get", *UNSAFE),
    actions: Iterable[str] = (),
    key: str = "id",
):
    for method in methods:
        response = getattr(other_site_api, method)(detail_url, {}, format="json")
        assert response.status_code == 404, (method, detail_url, response.status_code)
        assert "detail" in response.json()
    for action_url in actions:
        response = other_site_api.post(action_url, {}, format="json")
        assert response.status_code == 404, (action_url, response.status_code)
    if list_url is not None:
        assert obj_id not in list_ids(other_site_api, list_url, key), list_url


def assert_needs_role(api, method: str, url: str, data=None):
    """The caller's role is too low: 403 with a message, never a silent success."""
    response = getattr(api, method)(url, data or {}, format="json")
    assert response.status_code == 403, (method, url, response.status_code, response.content)
    assert "detail" in response.json()
    return response


def assert_needs_auth(anon_api, method: str, url: str, data=None):
    response = getattr(anon_api, method)(url, data or {}, format="json")
    assert response.status_code in (401, 403), (method, url, response.status_code)
    return response
