"""Names the governance demo's modules share (governance/demo.py, demo_decisions.py, demo_actions.py)."""

PAST_MEETINGS = 12  # a year of monthly meetings per body
CORE = ["OM", "Politie", "RN", "SHN", "RvdK"]  # the ZSM core partners (stakeholders/demo.py), chair's first
SLUG = {"OM": "om", "Politie": "politie", "RN": "reclassering", "SHN": "slachtofferhulp", "RvdK": "rvdk"}
STUURGROEP = "Landelijke Stuurgroep ZSM"
LOCATIEOVERLEG = "ZSM-locatieoverleg Amsterdam"
