"""regiold's error tree. Each error knows its HTTP status; ``web.py`` maps them in one place."""

from __future__ import annotations


class RegioldError(Exception):
    """Base of every error regiold raises on purpose."""

    status = 500
    title = "Internal error"
    # For the operator (the command line), never sent to a client: e.g. which store URL and
    # setting failed. ``str(error)`` is what a client may read.
    where = ""


class ConfigError(RegioldError):
    title = "Invalid configuration"


class SourceError(RegioldError):
    """A file under ontology/, data/ or shapes/ cannot be read or parsed.

    ``str()`` is ``file:line:col: message`` so editors and CI logs can jump to the place.
    """

    title = "Invalid source file"

    def __init__(self, path: str, line: int | None, column: int | None, message: str) -> None:
        self.path, self.line, self.column, self.message = path, line, column, message
        place = path if line is None else f"{path}:{line}:{column or 1}"
        super().__init__(f"{place}: {message}")


class InvalidData(RegioldError):
    """The data does not conform to the shapes; carries the validation report."""

    title = "Data does not conform to the shapes"

    def __init__(self, report: object) -> None:
        self.report = report
        super().__init__(str(getattr(report, "summary", lambda: "invalid data")()))


class NotFound(RegioldError):
    status, title = 404, "Not found"


class Gone(RegioldError):
    status, title = 410, "Gone"


class Withheld(RegioldError):
    """A person's IRI while ``publish_persons`` is off: it exists, but is not published here."""

    status, title = 451, "Unavailable for legal reasons"


class BadRequest(RegioldError):
    status, title = 400, "Bad request"


class NotAcceptable(RegioldError):
    status, title = 406, "Not acceptable"

    def __init__(self, offered: list[str], *, parameter: str | None = None,
                 value: str = "") -> None:
        """``parameter``: the request parameter (``format``) whose ``value`` named no format on
        offer; the message names both."""
        self.offered = offered
        listed = ", ".join(offered)
        super().__init__(f"parameter {parameter}: {value!r} is not offered; acceptable media "
                         f"types: {listed}" if parameter else f"Acceptable media types: {listed}")


class PreconditionFailed(RegioldError):
    """If-Match or If-Unmodified-Since of a GET that the representation does not meet."""

    status, title = 412, "Precondition failed"


class UnknownProfile(NotAcceptable):
    """A profile asked for (``Accept-Profile``, ``?_profile=``) that no representation has."""

    def __init__(self, known: list[str]) -> None:
        self.offered = known
        RegioldError.__init__(self, "Known profiles: " + ", ".join(known)
                              + " (list: ?_profile=alt)")


class RequestTimeout(RegioldError):
    """A request body that did not arrive within ``body_read_timeout``."""

    status, title = 408, "Request timeout"


class PayloadTooLarge(RegioldError):
    status, title = 413, "Payload too large"


class UriTooLong(RegioldError):
    status, title = 414, "URI too long"


class TooManyRequests(RegioldError):
    status, title = 429, "Too many requests"
    retry_after = 60


class StoreUnavailable(RegioldError):
    status, title = 503, "Store unavailable"
    retry_after = 5


class QuerySyntaxError(RegioldError):
    status, title = 400, "Invalid SPARQL query"


class QueryRefused(RegioldError):
    status, title = 400, "SPARQL query refused"


class QueryTimeout(RegioldError):
    status, title = 503, "SPARQL query timed out"
    retry_after = 1


class QueryMemoryLimit(RegioldError):
    """A query needed more memory than ``sparql_query_max_mb`` (or crashed the engine)."""

    status, title = 503, "SPARQL query stopped"


class ReadOnlyEndpoint(RegioldError):
    """A SPARQL Update (or ``update=``) sent to the read-only endpoint."""

    status, title = 403, "SPARQL endpoint is read-only"


class EndpointBusy(RegioldError):
    """Every query worker stayed busy for the whole queue wait."""

    status, title = 503, "SPARQL endpoint busy"
    retry_after = 1


class UnsupportedMediaType(RegioldError):
    status, title = 415, "Unsupported media type"


def problem(exc: RegioldError) -> dict[str, object]:
    """RFC 9457 problem details: the only error body shape regiold emits."""
    return {"type": "about:blank", "title": exc.title, "status": exc.status, "detail": str(exc)}
