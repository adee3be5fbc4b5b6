"""From history to scenario: calibrate a scenario from a contact log, and back-test it.

>>> import calibrate
>>> calibration = calibrate.calibrate_log("contacts.csv", "calibrated/")  # doctest: +SKIP
>>> calibration.scenario_path  # doctest: +SKIP
>>> result = calibrate.backtest(  # doctest: +SKIP
...     "contacts.csv", "backtest/", train_until=datetime.date(2027, 3, 18)
... )

The log format is ``docs/contact-log.md`` (:mod:`calibrate.logformat`); every estimate comes
with a 95 % confidence interval and the number of contacts behind it (``calibration.json``).
:func:`export_replication` writes a simulated replication in that format, for round trips.
"""

from calibrate.backtest import BACKTEST_KPIS, COMPARISON_COLUMNS, Backtest, backtest
from calibrate.calibration import Calibration, ChannelCalibration, Settings, calibrate_log
from calibrate.estimate import Estimate
from calibrate.export import export_replication, log_frame, staffing_frame
from calibrate.logformat import LogError, LogFormat
from calibrate.reader import ContactLog, read_log

__all__ = [
    "BACKTEST_KPIS",
    "COMPARISON_COLUMNS",
    "Backtest",
    "Calibration",
    "ChannelCalibration",
    "ContactLog",
    "Estimate",
    "LogError",
    "LogFormat",
    "Settings",
    "backtest",
    "calibrate_log",
    "export_replication",
    "log_frame",
    "read_log",
    "staffing_frame",
]
