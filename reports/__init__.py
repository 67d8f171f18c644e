"""Quarterly complaint reports: workbooks and regulator summaries built from complaint cases."""

__all__ = ["__version__"]
__version__ = "0.1.0"
