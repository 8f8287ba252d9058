"""Analyses of many runs: batches, Monte Carlo, sensitivity, thresholds, calibration.

- :mod:`intsim.analysis.batch`: runs of many tasks on an executor;
- :mod:`intsim.analysis.distributions`, :mod:`intsim.analysis.uncertainty`,
  :mod:`intsim.analysis.sampling`: parameter uncertainty and draws;
- :mod:`intsim.analysis.montecarlo`, :mod:`intsim.analysis.gsa`,
  :mod:`intsim.analysis.sensitivity`, :mod:`intsim.analysis.gsa_commands`,
  :mod:`intsim.analysis.deterministic`, :mod:`intsim.analysis.threshold`,
  :mod:`intsim.analysis.calibration`, :mod:`intsim.analysis.compare`: the analyses;
- :mod:`intsim.analysis.commands`: what the analysis commands share;
- :mod:`intsim.analysis.figures`: the house style and labels of every figure.

Analyses sit above :mod:`intsim.sim` and below :mod:`intsim.report` (docs/architecture.md).
"""
