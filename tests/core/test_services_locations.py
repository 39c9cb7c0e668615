"""Location services keep every stored path, lineage and depth true to the tree.

A property test drives random create / rename / move / delete sequences against a plain Python
model of the tree and checks, after every step, that the service accepted or refused exactly what
the rules say and that the stored breadcrumbs still describe the tree.
"""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import ServiceError
from core.models import Location
from core.services import (
    location_create,
    location_delete,
    location_paths_rebuild,
    location_update,
)
from tests.factories import admin_of

NAMES = ["A", "a", "B", " b ", "Bay", "BAY", "C"]  # few names, so clashes are common

choice = st.integers(min_value=0, max_value=50)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("create"), st.sampled_from(NAMES), st.none() | choice),
        st.tuples(st.just("rename"), choice, st.sampled_from(NAMES)),
        st.tuples(st.just("move"), choice, st.none() | choice),
        st.tuples(st.just("delete"), choice),
    ),
    min_size=1,
    max_size=25,
)


class Tree:
    """The expected tree: id -> (name, parent id), and the rules the services must enforce."""

    def __init__(self):
        self.nodes: dict[int, tuple[str, int | None]] = {}

    def pick(self, index: int | None) -> int | None:
        return (
            None if index is None or not self.nodes else sorted(self.nodes)[index % len(self.nodes)]
        )

    def chain(self, pk: int) -> list[int]:
        ids = []
        while pk is not None:
            ids.insert(0, pk)
            pk = self.nodes[pk][1]
        return ids

    def name_taken(self, name: str, parent: int | None, but: int | None = None) -> bool:
        return any(
            n.lower() == name.lower() and p == parent and pk != but
            for pk, (n, p) in self.nodes.items()
        )

    def has_children(self, pk: int) -> bool:
        return any(p == pk for _n, p in self.nodes.values())


def expect_stored_tree_matches(tree: Tree, site) -> None:
    stored = {loc.pk: loc for loc in Location.objects.for_site(site)}
    assert set(stored) == set(tree.nodes)
    for pk, location in stored.items():
        chain = tree.chain(pk)
        assert location.name == tree.nodes[pk][0]
        assert location.parent_id == tree.nodes[pk][1]
        assert location.path == " > ".join(tree.nodes[i][0] for i in chain)
        assert location.lineage == "/" + "".join(f"{i}/" for i in chain)
        assert location.depth == len(chain) - 1
    assert location_paths_rebuild(site=site, by=admin_of(site))["repaired"] == 0


def apply(step, tree: Tree, held: dict[int, Location], site, by) -> None:
    """Run one step through the service with location objects as a caller holds them: loaded
    once, possibly stale by now. The service must agree with the model on whether it is allowed."""
    kind = step[0]
    if kind == "create":
        name, parent = step[1].strip(), tree.pick(step[2])
        refused = tree.name_taken(name, parent)
        call = lambda: location_create(site=site, by=by, name=step[1], parent=held.get(parent))  # noqa: E731
    elif kind == "rename":
        target, name = tree.pick(step[1]), step[2].strip()
        if target is None:
            return
        refused = tree.name_taken(name, tree.nodes[target][1], but=target)
        call = lambda: location_update(location=held[target], by=by, name=step[2])  # noqa: E731
    elif kind == "move":
        target, parent = tree.pick(step[1]), tree.pick(step[2])
        if target is None:
            return
        name = tree.nodes[target][0]
        refused = (parent is not None and target in tree.chain(parent)) or tree.name_taken(
            name, parent, but=target
        )
        call = lambda: location_update(location=held[target], by=by, parent=held.get(parent))  # noqa: E731
    else:
        target = tree.pick(step[1])
        if target is None:
            return
        refused = tree.has_children(target)
        call = lambda: location_delete(location=held[target], by=by)  # noqa: E731

    try:
        result = call()
    except ServiceError:
        assert refused, f"{step} was refused but is allowed"
        return
    assert not refused, f"{step} was allowed but must be refused"
    if kind == "create":
        tree.nodes[result.pk] = (name, parent)
        held[result.pk] = Location.objects.get(pk=result.pk)
    elif kind == "rename":
        tree.nodes[target] = (name, tree.nodes[target][1])
    elif kind == "move":
        tree.nodes[target] = (tree.nodes[target][0], parent)
    else:
        del tree.nodes[target]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=steps)
def test_random_edits_keep_paths_lineage_and_depth_true(site, manager_user, steps):
    with transaction.atomic():  # each example starts from an empty tree
        tree, held = Tree(), {}
        for step in steps:
            apply(step, tree, held, site, manager_user)
            expect_stored_tree_matches(tree, site)
        assert Location.objects.for_site(site).count() == len(tree.nodes)
        transaction.set_rollback(True)


# --- Single behaviours ----------------------------------------------------------------------------


def test_creating_under_a_parent_renamed_since_it_was_loaded_uses_its_current_path(
    site, manager_user
):
    building = location_create(site=site, by=manager_user, name="Building")
    held = Location.objects.get(pk=building.pk)
    location_update(location=building, by=manager_user, name="Hangar")
    room = location_create(site=site, by=manager_user, name="Room", parent=held)
    assert room.path == "Hangar > Room"


def test_moving_under_a_parent_moved_since_it_was_loaded_uses_its_current_lineage(
    site, manager_user
):
    a = location_create(site=site, by=manager_user, name="A")
    b = location_create(site=site, by=manager_user, name="B")
    held_b = Location.objects.get(pk=b.pk)
    location_update(location=b, by=manager_user, parent=a)
    c = location_create(site=site, by=manager_user, name="C")
    moved = location_update(location=c, by=manager_user, parent=held_b)
    assert (moved.path, moved.depth) == ("A > B > C", 2)
    assert moved.lineage == f"/{a.pk}/{b.pk}/{c.pk}/"


def test_a_location_cannot_move_below_a_descendant_even_through_a_stale_object(site, manager_user):
    a = location_create(site=site, by=manager_user, name="A")
    b = location_create(site=site, by=manager_user, name="B")
    held_b = Location.objects.get(pk=b.pk)  # still top level in memory
    location_update(location=b, by=manager_user, parent=a)
    with pytest.raises(ServiceError) as refused:
        location_update(location=a, by=manager_user, parent=held_b)
    assert "parent" in refused.value.errors


def test_rebuild_repairs_every_broken_column_and_reports_the_count(site, manager_user):
    a = location_create(site=site, by=manager_user, name="A")
    b = location_create(site=site, by=manager_user, name="B", parent=a)
    Location.objects.filter(pk=b.pk).update(path="?", lineage="?", depth=9)
    assert location_paths_rebuild(site=site, by=admin_of(site)) == {"locations": 2, "repaired": 1}
    b.refresh_from_db()
    assert (b.path, b.lineage, b.depth) == ("A > B", f"/{a.pk}/{b.pk}/", 1)


def test_the_service_refuses_names_longer_than_the_column(site, manager_user):
    with pytest.raises(ServiceError) as refused:
        location_create(site=site, by=manager_user, name="x" * 101)
    assert "name" in refused.value.errors
    assert not Location.objects.exists()
