"""A test-only app that reserves stock the way work orders and builds will: it owns its rows and
plugs a reservation provider into ``inventory.reservations`` from its ``AppConfig.ready()``."""
