"""Contributions: what each partner puts in (money, people, data, facilities), committed per year
and delivered per period."""
