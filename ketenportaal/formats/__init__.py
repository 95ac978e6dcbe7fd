"""One date format across the portal (settings.FORMAT_MODULE_PATH), per language.

Dates read "30 nov 2026", moments "30 nov 2026 14:05": short enough for a table on a phone,
with the month as a word so that nobody wonders whether 03-04 is March or April. Templates
write ``{{ day|date }}`` and ``{{ moment|date:"DATETIME_FORMAT" }}``, never a format of their own.
Everything not set here comes from Django's own formats for the language.
"""
