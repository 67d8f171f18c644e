"""Quarterly complaint reports: workbooks and regulator summaries built from complaint cases."""

import pandas as _pd

# Arrow reads the CSV exports (reports.filesource); inside pandas, text stays in Python
# strings, which the documents' per-value work (labels, XML cells) uses without converting
# each value back and forth.
_pd.set_option("mode.string_storage", "python")

__all__ = ["__version__"]
__version__ = "0.1.0"
