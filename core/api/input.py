"""A write's body means the same whether it came as JSON or as form data.

DRF reads HTML form input the browser's way: a checkbox the form leaves out is false, a missing
list is empty. For an API that turns "I did not name this field" into "clear it": a form-encoded
PATCH switched a user off and dropped their teams, a form-encoded POST created an inactive rule.
Here a field the body leaves out is not given, whatever the format:

- PATCH changes only the fields it names (views pass `partial=True`);
- PUT replaces, so every writable field must be named: a missing one is a 400, never a silent clear;
- POST leaves out what it does not name, and the field's declared default (the model's) applies.
"""

from rest_framework.fields import empty


class SameForFormAndJSON:
    """Mixin for input serializers (put it first in the bases)."""

    def get_fields(self):
        fields = super().get_fields()
        replace = self._is_replace()
        for field in fields.values():
            if field.read_only:
                continue
            if replace:
                field.required = True
                field.default_empty_html = empty
            elif field.default is empty:
                field.default_empty_html = empty  # left out of a form: not given, as in JSON
        return fields

    def _is_replace(self) -> bool:
        request = self.context.get("request")
        return request is not None and request.method == "PUT" and not self.partial
