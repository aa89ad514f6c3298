"""The form-delivery suite: a form engine delivers the project's forms into the reference
archive, with and without injected faults, and the suite judges what arrived.

``plan`` makes the deliveries a run asks for (seeded, replayable), ``run`` hands them to the
engine through the client machinery (``tpn.conformance.client``) and gathers what arrived,
``judge`` holds the checks, one per requirement area, and ``test_*`` name the requirements.
"""
