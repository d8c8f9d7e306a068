"""Domain errors shared by every app's services; the API maps them to HTTP answers."""


class StateConflict(Exception):
    """The action does not fit the object's current state (a decided bend, a closed case): 409."""

    def __init__(self, message: str, *, code: str = "conflict"):
        super().__init__(message)
        self.message = message
        self.code = code
