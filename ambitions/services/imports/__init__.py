"""Figures from a CSV or XLSX file: the template to fill in, reading the file, its preview and its
write, all through the bulk upsert's rules (docs/architecture.md, "Importing figures").

By subject: ``files`` (a file as a table, with its limits), ``columns`` (headers), ``rows`` (a
table's rows as the bulk upsert's rows), ``run`` (an ImportJob's check and write), ``template``
(the XLSX and CSV to fill in), ``error_sheet`` (a preview's errors as a sheet).
"""
