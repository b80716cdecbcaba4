"""The API's refusals, importable by the enabled files (settings time)."""


class XmsApiError(Exception):
    """The API refused a request; ``message`` is the API's own words.

    Registered as recoverable in the enabled file, so Horizon shows the
    message and the page instead of an error page.
    """

    def __init__(self, status, message, field=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
