# "b" is the month's short name in lower case, as Dutch writes it: 30 nov 2026, 1 mei 2026.
DATE_FORMAT = "j b Y"
DATETIME_FORMAT = "j b Y H:i"
SHORT_DATE_FORMAT = "d-m-Y"
SHORT_DATETIME_FORMAT = "d-m-Y H:i"
