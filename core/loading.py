"""How a record read from the database becomes a model instance: the base of every model here.

``Model.from_db`` is Django's hook for this. Django's own version calls ``Model.__init__``, which
is built for code that makes a new record (keyword arguments, defaults, properties) and sends
the ``pre_init``/``post_init`` signals; for a row read from the database it ends up setting each
loaded column as an attribute, one ``setattr`` at a time. A page of 50 parts with their types,
locations, people and vendors builds about 350 instances, and that was 15-20 % of the page's rows
(bench/README.md, "After").

``FastLoadingModel.from_db`` makes the same instance directly: the loaded columns go into the
instance's ``__dict__`` under their attribute names (which is where Django's ``setattr`` puts
them: no concrete field of ours has a descriptor that changes a value on the way in), and the
state says "from database ``db``, not being added". Columns not loaded are absent, so they stay
deferred and load on first access, as with Django's. When anything listens to ``pre_init`` or
``post_init`` for the model (an ``ImageField``'s dimensions, a third-party app), Django's own
path is taken, so such listeners still run.
"""

from django.db import models
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init


class FastLoadingModel(models.Model):
    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        # ``receivers`` first: usually nothing listens at all, and asking per model costs more.
        if (pre_init.receivers and pre_init.has_listeners(cls)) or (
            post_init.receivers and post_init.has_listeners(cls)
        ):
            return super().from_db(db, field_names, values)
        new = cls.__new__(cls)
        state = ModelState()
        state.adding = False
        state.db = db
        attributes = new.__dict__
        attributes["_state"] = state
        attributes.update(zip(field_names, values, strict=True))
        return new
