"""The dependency report: compute (:mod:`.compute`), sentences (:mod:`.headlines`), render (:mod:`.render`)."""

from .compute import MAIN_ACTORS, Report, build_report, default_years

__all__ = ["Report", "build_report", "default_years", "MAIN_ACTORS"]
