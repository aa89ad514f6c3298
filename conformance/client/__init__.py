"""Client conformance: the machinery every client profile shares.

In a client profile the vendor's product is the client: it drives the harness's mocks (a form
engine delivers into the reference archive, a service publishes to MinSide) and the suite
judges what arrived. Every such profile needs the same three things, and they live here once:

- **Asking the product to act** (``ask``): the suite writes a *job* (``job``: a versioned JSON
  document naming the action, its inputs, its files and the services to use) and hands it to
  the product in one of three ways: a command run per job (``--engine-cmd``), a webhook the job
  is POSTed to (``--engine-webhook``), or a person following printed instructions
  (``--manual``), for products that only act through their user interface.
- **Watching what arrived** (``observe``): a window on a mock's journal from the moment a job
  was handed over, and a bounded wait for what the product should have sent.
- **Fault injection** is the mocks' own (``/__admin/faults`` and their Python API): the suite
  tells the mock to misbehave before it hands over the job, and judges from the mock's store
  and journal what the product made of it.

A profile (``tpn.conformance.<profile>``) says which jobs its scenarios need and what each
requirement demands of the outcome; nothing here knows a profile.
"""

from __future__ import annotations

from tpn.conformance.client.ask import (
    Asker,
    AskError,
    CommandAsker,
    InProcessAsker,
    ManualAsker,
    Reply,
    WebhookAsker,
    check_template,
)
from tpn.conformance.client.job import JOB_VERSION, Job, Service
from tpn.conformance.client.observe import Window, wait_until

__all__ = [
    "JOB_VERSION",
    "AskError",
    "Asker",
    "CommandAsker",
    "InProcessAsker",
    "Job",
    "ManualAsker",
    "Reply",
    "Service",
    "WebhookAsker",
    "Window",
    "check_template",
    "wait_until",
]
