"""The stakeholder register: parties around the chain that are not partners, and the contacts with them."""
