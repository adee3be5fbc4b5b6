"""What a person reads: results folders, ``report.html``, figures, scenario text, terminal output.

Built on evaluated runs (:mod:`sla_eval`); the only layer besides the decision packages
(:mod:`negotiate`) that imports matplotlib.
"""
