"""gunicorn's access log without customer-link tokens.

A customer link (`/feedback/<token>/`, `/status/<token>/`, `/unsubscribe/<token>/`) is the customer's
credential; the database keeps only its digest, so the log must not keep it in full either. Every
logged value (the request line, the path, the referer) shows the token's first 4 characters only.
"""

import re

from gunicorn.glogging import Logger

_LINK_TOKEN = re.compile(r"(/(?:feedback/recovered|feedback|status|unsubscribe)/)([^/\s?#]{4})[^/\s?#]*")


def mask_link_tokens(value: str) -> str:
    return _LINK_TOKEN.sub(r"\1\2…", value)


class MaskedTokenLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: mask_link_tokens(value) if isinstance(value, str) else value for key, value in atoms.items()}
