"""The demo's early warnings (``manage.py load_demo``, after ambitions' figures and governance's
bodies): the sweep the beat task runs daily, run once, so the programme manager finds the
indicators whose forecast is heading off target proposed (probation's advice within 24 hours
stalls below its trajectory). Loading again raises nothing new: one warning per indicator and period."""

from __future__ import annotations

from governance.services import early_warning


def load_demo() -> None:
    early_warning.sweep()
