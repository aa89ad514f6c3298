"""The ``minside-client`` suite: a municipality's e-service (or a form engine) publishing to
MinSide, judged from what arrives in the suite's reference MinSide (``profile``, ``plan``,
``run``, ``judge``)."""
