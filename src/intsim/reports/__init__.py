"""Decision reports for grant writers and payer negotiations (HTML, CSV and Excel).

- :mod:`intsim.reports.document`: a self-contained, print-friendly HTML page builder;
- :mod:`intsim.reports.workbook`: Excel sheets (openpyxl) with number formats.
"""
