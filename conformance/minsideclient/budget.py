"""What a minside-client run asks of the client (the notice line's last sentence)."""

from __future__ import annotations

from tpn.conformance.minsideclient.plan import plan


def jobs(level: str) -> int:
    """How many jobs an automatic run at ``level`` asks for."""
    return len(plan(level, 0))


def describe(level: str, run_id: str, examples: int) -> str:
    return (
        f"It asks the client for {jobs(level)} jobs (register services, publish receipts, "
        "update cases, then faults) against the suite's own MinSide; it writes nothing elsewhere."
    )
