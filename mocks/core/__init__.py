"""What every mock shares, whatever its protocol: the machinery a part is built on and served by.

``store`` (all state, SQLAlchemy), ``clock`` (the test clock), ``journal`` (every exchange),
``admin`` (the admin side's JSON routes), ``journal_page`` with ``journal_query`` and
``templates/`` (the journal for people, under ``/__admin/view``), ``panels`` (what a part shows
there), ``app`` (``MockApp``: the WSGI router, Basic auth, ``/isalive``), ``bodies`` (one
bounded body reader for every route), ``config`` (``MockConfig``), ``paths`` (where files live),
``parts`` (what a mock brings to a process, and the assembly of parts into one app), ``server``
(``MockServer``: an assembly in a thread, for tests), ``front`` and ``serving`` (worker
processes for ``tpn serve``), ``defect_registry`` (named defects, each replacing one or more of
a mock's seams). None of them knows a mock, but ``serving``, which serves the composition
root's whole (``tpn.mocks.compose``); ``tpn.mocks.soap`` beside it is the SOAP machinery,
``tpn.mocks.saml`` the SAML building blocks.
"""
