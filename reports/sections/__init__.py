"""The weekly report's sections, in the order the page, the mail, the JSON and the CSV show them.

A new part of the report is a module here with a `SECTION` (see `base.Section`), its two snippets
under `templates/reports/sections/`, its test, and one line in this list.
"""

from . import bends, escalator, levels, radar, recovery, voice

SECTIONS = (levels.SECTION, recovery.SECTION, voice.SECTION, bends.SECTION, escalator.SECTION, radar.SECTION)
