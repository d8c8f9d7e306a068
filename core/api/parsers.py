"""Request parsers: JSON that Python can read but not use is bad input (400), not a crash.

- Nested deeper than Python can recurse.
- A string holding a lone surrogate (`"\ud83d"` without its pair): valid JSON, but not Unicode
  text, so nothing can store it, and an error message echoing it could not even be written out.
"""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _holds_lone_surrogate(data) -> bool:
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
        if _holds_lone_surrogate(data):
            raise ParseError("JSON parse error - a string holds a lone surrogate, which is not Unicode text.")
        return data
