"""What a form-delivery run asks of the engine (the notice line's last sentence)."""

from __future__ import annotations

from tpn.conformance.formdelivery.plan import CORE_FAULTS, FULL_FAULTS


def deliveries(level: str) -> int:
    """How many deliveries an automatic run at ``level`` asks for."""
    faults = len(CORE_FAULTS) + (len(FULL_FAULTS) if level != "core" else 0)
    return 15 + faults + (2 if level != "core" else 0)


def describe(level: str, run_id: str, examples: int) -> str:
    return (
        f"It asks the engine for {deliveries(level)} deliveries of synthetic forms into the "
        "suite's own archive (the 15 forms, then faults); it writes nothing elsewhere."
    )
