"""One small hierarchy of errors, translated once at each edge.

The CLI prints ``str(error)`` and exits non-zero; the web app answers with the
error's HTTP status and the same message (see ``app.py``). Engine and storage
failures that are not the client's fault are ``StoreError`` (500, logged).
"""
from __future__ import annotations


class CommuniqueError(Exception):
    status = 500
    title = "Internal error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadRequest(CommuniqueError):
    status = 400
    title = "Bad request"


class QuerySyntaxError(BadRequest):
    title = "SPARQL syntax error"


class Unauthorized(CommuniqueError):
    """A write without the right bearer token."""

    status = 401
    title = "Unauthorized"
    headers = {"WWW-Authenticate": 'Bearer realm="communique"'}


class Forbidden(CommuniqueError):
    status = 403
    title = "Forbidden"


class NotFound(CommuniqueError):
    status = 404
    title = "Not found"


class NotAcceptable(CommuniqueError):
    status = 406
    title = "Not acceptable"


class PayloadTooLarge(CommuniqueError):
    status = 413
    title = "Payload too large"


class UnsupportedMediaType(CommuniqueError):
    status = 415
    title = "Unsupported media type"


class ArticleRejected(CommuniqueError):
    """An article failed extraction or the SHACL shapes; nothing was stored."""

    status = 422
    title = "Article rejected"


class WriteRejected(CommuniqueError):
    """A write would leave an article graph that does not conform to the shapes; nothing was written."""

    status = 422
    title = "Write rejected by the shapes"


class BadGateway(CommuniqueError):
    """A remote source (a SERVICE endpoint, a LOAD source) sent an answer that cannot be used."""

    status = 502
    title = "Bad gateway"


class QueryTimeout(CommuniqueError):
    status = 503
    title = "Query timed out"


class ClientGone(CommuniqueError):
    """The client closed the connection while its query ran; nobody reads the answer."""

    status = 499
    title = "Client closed request"


class Unavailable(CommuniqueError):
    status = 503
    title = "Service unavailable"


class StoreBusy(Unavailable):
    title = "Store in use"


class StoreError(CommuniqueError):
    status = 500
    title = "Store error"
