"""The calendar library that knows the official mainland China days, when the server has it."""

import importlib.metadata

# The library that also knows the make-up working days (调休).
CALENDAR_LIBRARY = "chinese-calendar"


def calendar_library_version():
    """The installed version of the calendar library on the server, or None."""
    try:
        return importlib.metadata.version(CALENDAR_LIBRARY)
    except importlib.metadata.PackageNotFoundError:
        return None
