"""Analyses over the store: dyads first; series, networks and merging later."""

from nexus.analysis.dyads import DirectionReport, DyadReport, dyad_report

__all__ = ["DirectionReport", "DyadReport", "dyad_report"]
