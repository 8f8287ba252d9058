"""Reports: a run's outputs and figures, and the decision reports (HTML, CSV and Excel).

- :mod:`intsim.report.run`: figures and printed tables of one run;
- :mod:`intsim.report.outputs`: writing a run's output folder;
- :mod:`intsim.report.document`: a self-contained, print-friendly HTML page builder;
- :mod:`intsim.report.workbook`: Excel sheets (openpyxl) with number formats;
- :mod:`intsim.report.grant` (with ``grant_runs``, ``grant_tables``, ``grant_workbook``):
  ``intsim report grant``, the impact and budget report;
- :mod:`intsim.report.negotiation` (computing) and :mod:`intsim.report.payer` (rendering):
  ``intsim report payer``, the payer-negotiation brief.

The names of the old module ``intsim.report`` (now :mod:`intsim.report.run`) still resolve
here, with a :class:`DeprecationWarning` (:mod:`intsim._moved`).
"""

from __future__ import annotations

from intsim import _moved


def __getattr__(name: str) -> object:
    """A name of the old module ``intsim.report``, from :mod:`intsim.report.run` (deprecated)."""
    return _moved.moved_attribute(__name__, name)
