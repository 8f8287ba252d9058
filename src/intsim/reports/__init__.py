"""Decision reports for grant writers and payer negotiations (HTML, CSV and Excel).

- :mod:`intsim.reports.document`: a self-contained, print-friendly HTML page builder;
- :mod:`intsim.reports.workbook`: Excel sheets (openpyxl) with number formats;
- :mod:`intsim.reports.grant` (with ``grant_runs``, ``grant_tables``, ``grant_workbook``):
  ``intsim report grant``, the impact and budget report;
- :mod:`intsim.reports.negotiation` (computing) and :mod:`intsim.reports.payer` (rendering):
  ``intsim report payer``, the payer-negotiation brief.
"""
