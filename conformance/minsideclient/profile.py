"""The ``minside-client`` profile: a municipality's e-service publishing to MinSide (register
its service, send the applicant a receipt, keep the case in "mine saker" following the
archive's), judged from what arrives in the suite's reference MinSide.

The e-service is the client: there is no ``--target``. The run names how it is asked, one way
per run, with the form-delivery profile's options: ``--engine-cmd`` (a command per job),
``--engine-webhook`` (a URL the job is POSTed to) or ``--manual`` (a person does each job). With
none of them the suite certifies the reference MinSide client (``tpn eservice act``), whose
defects are its own (``fixtures/standards/minsideclient/defects.toml``).

The job format (``tpn.conformance.client.job``, ``tpn_job`` 1) with this profile's actions:

- ``register-service``: inputs tjenesteId, kommunenummer, eierOrgnr, navn, beskrivelse, url,
  sikkerhetsnivaa, kategori, skjemaId: register (or update) the service in the tjenestekatalog.
- ``publish-receipt``: inputs referanse (the application), mottaker and mottakerNavn (the
  applicant), avsenderOrgnr and avsenderNavn (the municipality), saksnummer and sakstittel (the
  archive's case), lenke (the case's page), tjenesteId, tjenesteUrl and sikkerhetsnivaa (its
  service), status (MOTTATT) and tidspunkt (when the archive received it); file kvittering (a
  PDF): send the receipt to the applicant's meldingsboks and open the case in mine saker.
- ``update-case-status``: the same inputs with the archive's new status and its tidspunkt: move
  the case in mine saker.

The services block names MinSide's three endpoints: ``tjenestekatalog``, ``meldingsboks`` and
``minesaker`` (each with user and password; short names ``{tjenestekatalog_url}``,
``{meldingsboks_url}``, ``{minesaker_url}``, ``{user}``, ``{password}``). No job of this
profile needs the archive: the job carries what the e-service knows of the archive's case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tpn.conformance.client.profile import ClientProfile


@dataclass(frozen=True)
class MinSideClientProfile(ClientProfile):
    def check_options(self, values: Mapping[str, Any]) -> None:
        from tpn.conformance.minsideclient.options import check_options

        check_options(values)


PROFILE = MinSideClientProfile(
    name="minside-client",
    title="e-service publishing to MinSide: catalogue, receipts, case status (client)",
    standard="minsideclient",
    package="tpn.conformance.minsideclient",
    target_help="none: name the client with --engine-cmd, --engine-webhook or --manual",
    reference_name="the reference MinSide client",
    defects_hint=(
        "Certify the reference MinSide client with one: "
        "tpn certify --profile minside-client --defect NAME (repeatable)."
    ),
    product="client",
)
