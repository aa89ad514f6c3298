"""The archive's defect registry: every defect is one entry here, naming the seams it replaces.

An entry puts a vendor's variant into the archive's seams (``seams.py``): a business rule
(``rule``, variants in ``rules.py``), a policy (``policy``, variants in ``numbering.py`` and
``policies.py``), a search option (``search``), a filter around the handler (``handler``,
``filters.py``), a transport fault of the endpoint (``endpoint``, ``endpoint.py``) or the
authentication (``credentials_unchecked``); ``SQLITE_ONLY`` marks a defect whose queries need
SQLite. Entries are applied in the order below: where two defects replace the same rule the
later one acts, and filters run outermost first.

What each defect does wrong, why a vendor might, and which requirements must catch it is its
entry in ``fixtures/standards/noark4ws/defects.toml`` (``catalogue.py``). Adding a defect is one
entry here, one there, and one test that shows the mistake over the wire
(``tests/test_defects.py``, ``test_<name>``); the defect matrix then proves the suite catches
it with exactly the requirements named.
"""

from __future__ import annotations

from collections.abc import Iterable

from tpn.mocks.core.defect_registry import SQLITE_ONLY, Entry, Hook, Registry
from tpn.mocks.noark4ws import rules
from tpn.mocks.noark4ws.defects import filters as f
from tpn.mocks.noark4ws.defects import numbering as n
from tpn.mocks.noark4ws.defects import policies as p
from tpn.mocks.noark4ws.defects import rules as r
from tpn.mocks.noark4ws.defects.catalogue import names
from tpn.mocks.noark4ws.defects.filters import ALL, GETS, PUTS
from tpn.mocks.noark4ws.defects.seams import (
    REFERENCE_SEAMS,
    Seams,
    credentials_unchecked,
    endpoint,
    handler,
    policy,
    rule,
    search,
)

SQLITE = frozenset({SQLITE_ONLY})


def _entry(name: str, *hooks: Hook[Seams], facts: frozenset[str] = frozenset()) -> Entry[Seams]:
    return Entry(name, hooks, facts)


REGISTRY: Registry[Seams] = Registry(
    [
        # ---------------------------------------------------------- business rules
        _entry(
            "closed-codes-unchecked",
            rule(
                code=r.accept_any_code,
                journpost_start=r.journpost_start_if_known,
                journpost_change=r.journpost_change_if_known,
                sak_update=r.sak_update_if_known,
            ),
        ),
        _entry("old-code-list", rule(code=r.old_code)),
        _entry(
            "state-rules-unchecked",
            rule(journpost_start=r.accept, journpost_change=r.only_final_stays),
        ),
        _entry("case-state-unchecked", rule(sak_update=r.accept)),
        _entry("public-field-unchecked", rule(public_field=r.accept)),
        _entry("gbn-unchecked", rule(geo=rules.geo_values)),
        _entry("empty-required-accepted", rule(title=r.title_may_be_empty)),
        # ---------------------------------------------------------- policies
        _entry("reused-journal-numbers", policy("shown", n.NumberWithinCase), facts=SQLITE),
        _entry("numbering-not-per-year", policy("numbering", n.OneSeries)),
        _entry("numbering-race", policy("shown", n.RacyNumbers), facts=SQLITE),
        _entry("client-numbers-kept", policy("shown", n.ClientNumbersKept), facts=SQLITE),
        _entry("jpostnr-global", policy("numbering", n.GlobalJpostnr)),
        _entry("case-numbers-per-arkivdel", policy("shown", n.PerArkivdel), facts=SQLITE),
        _entry(
            "duplicate-case-on-resend",
            policy("resend", lambda inner: p.DuplicateOnResend(inner, "sak")),
        ),
        _entry(
            "duplicate-entry-on-resend",
            policy("resend", lambda inner: p.DuplicateOnResend(inner, "jp")),
        ),
        _entry("document-replace-appends", policy("documents", p.AppendsBeside)),
        _entry("orphan-entries", policy("missing_case", p.OrphanEntries)),
        _entry("archived-entry-mutable", policy("guard", p.ArchivedEntryMutable)),
        _entry("closed-case-takes-entries", policy("guard", p.ClosedCaseTakesEntries)),
        _entry("update-clears-omitted", policy("merge", p.ClearsOmitted)),
        _entry("child-lists-appended", policy("merge", p.AppendsChildLists)),
        _entry("no-defaults", policy("defaults", lambda inner: p.NoDefaults())),
        # ---------------------------------------------------------- search options
        # instr() is SQLite's (and MySQL's).
        _entry("search-case-sensitive", search(case_sensitive=True), facts=SQLITE),
        _entry("criteria-or", search(any_criterion=True)),
        _entry("exact-search-case-insensitive", search(exact_folded=True)),
        _entry("jpjdato-search-prefix", search(jdato_prefix=True)),
        # ---------------------------------------------------------- filters, outermost first
        _entry(
            "schema-unchecked",
            handler(ALL, f.crash_as_server_fault),
            endpoint(schema_unchecked=True),
        ),
        _entry("generic-status-codes", handler(ALL, f.generic_codes)),
        _entry("error-as-ok", handler(GETS, f.not_found_as_ok)),
        _entry("search-unordered", handler(GETS, f.newest_first)),
        _entry("ambiguous-selector-first-wins", handler(GETS, f.first_selector_wins)),
        _entry("no-selector-returns-all", handler(GETS, f.no_selector_matches_all)),
        _entry("unknown-search-field-returns-all", handler(GETS, f.unknown_fields_ignored)),
        _entry("return-flags-ignored", handler(GETS, f.every_flag)),
        _entry("put-answer-bare", handler(PUTS, f.bare_answer)),
        _entry("gaps-after-errors", handler(("PutJournpost",), f.number_spent_on_error)),
        _entry("open-lists-closed", handler(PUTS, f.open_lists_closed)),
        _entry("large-documents-refused", handler(("PutJournpost",), f.large_documents_refused)),
        _entry("geo-dropped", handler(("PutNoarksak",), f.geo_dropped)),
        _entry("fodselsnr-dropped", handler(PUTS, f.fodselsnr_dropped)),
        _entry("text-normalised", handler(PUTS, f.text_normalised)),
        _entry("documents-reencoded", handler(("PutJournpost",), f.documents_reencoded)),
        _entry("filenames-ascii-only", handler(("PutJournpost",), f.filenames_ascii)),
        _entry("optional-fields-dropped", handler(PUTS, f.optional_fields_dropped)),
        _entry(
            "case-key-reference-unsupported",
            handler(("PutJournpost",), f.case_numbers_required),
        ),
        _entry("saksnummer-ignores-year", handler(("GetNoarksak",), f.saksnummer_without_year)),
        _entry("lopenummer-ignores-year", handler(("GetJournpost",), f.lopenummer_without_year)),
        _entry("external-key-system-ignored", handler(GETS, f.key_without_system)),
        _entry("dokumentnummer-first-only", handler(("GetJournpost",), f.first_by_dokumentnummer)),
        _entry("entries-by-case-first-only", handler(("GetJournpost",), f.first_of_case)),
        # ---------------------------------------------------------- transport
        _entry("html-faults", endpoint(html_faults=True)),
        _entry("soap12-content-type", endpoint(soap12_content_type=True)),
        _entry("soap12-accepted", endpoint(soap12_accepted=True)),
        _entry("must-understand-ignored", endpoint(must_understand_ignored=True)),
        _entry("wsdl-incomplete", endpoint(wsdl_incomplete=True)),
        _entry("undeclared-response-element", endpoint(undeclared_response_element=True)),
        _entry("deep-nesting-crash", endpoint(deep_nesting_crash=True)),
        _entry("bare-faultcode", endpoint(bare_faultcode=True)),
        _entry("no-wsdl", endpoint(no_wsdl=True)),
        _entry("wsdl-schema-unqualified", endpoint(wsdl_schema_unqualified=True)),
        _entry("dtd-accepted", endpoint(dtd_accepted=True)),
        _entry("unavailable-after-entity-bomb", endpoint(unavailable_after_entity_bomb=True)),
        # ---------------------------------------------------------- authentication
        # The archive itself never asks (its proxy was meant to).
        _entry("credentials-unchecked", credentials_unchecked()),
    ],
    listed=names,
)


def seams(chosen: Iterable[str], backend: str = "sqlite") -> Seams:
    """The seams of an archive with the ``chosen`` defects. Unknown names are a ValueError that
    names every known defect, and so is a store the chosen defects cannot run on: those marked
    ``SQLITE_ONLY`` look numbers up in the stored message (json_extract) or match
    case-sensitively (instr)."""
    chosen = list(chosen)
    need = REGISTRY.having(chosen, SQLITE_ONLY)
    if need and backend != "sqlite":
        raise ValueError(f"the defects {', '.join(need)} need the SQLite store, not {backend}")
    return REGISTRY.apply(chosen, REFERENCE_SEAMS)
