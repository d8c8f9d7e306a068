"""The weekly report's sections, in the order the page, the mail, the JSON and the CSV show them.

A new part of the report is a module here with a `SECTION` (see `base.Section`), its two snippets
under `templates/reports/sections/`, its test, and one line in this list.
"""

from . import bends, escalator, levels, recovery

SECTIONS = (levels.SECTION, recovery.SECTION, bends.SECTION, escalator.SECTION)
