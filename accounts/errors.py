class ServiceError(Exception):
    """A refused state change: a human ``detail``, a machine ``code`` and an HTTP status.

    The API turns it into ``{"detail": ..., "code": ...}``; pages show the detail.
    """

    def __init__(self, detail: str, *, code: str, status: int = 400, extra: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.status = status
        self.extra = extra or {}
