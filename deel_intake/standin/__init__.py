"""A stand-in for Deel's ATS REST API, for tests, demos and benchmarks (standard library only).

`StandIn` serves, on loopback, the slice of ``https://api.letsdeel.com/rest/v2`` that
deel-intake uses, with the behaviour of Deel's that the app has to cope with:

* ``config`` -- tokens and scopes (401/403 in Deel's ``ApiErrorContainer`` shape), the
  organization-wide rolling rate limit (429 with Deel's bare body and no rate headers), added
  latency, and the shape of 400 validation errors (Deel answers in two shapes).
* ``_validation`` -- AJV request validation: JSON pointers, AJV's messages, ajv-formats'
  ``email`` and ``uri``, no additional properties.
* ``_api`` -- the routes (under ``/rest/v2`` and ``/rest``): creating candidates (duplicate
  e-mails refused, ``Idempotency-Key`` replay), listing with cursor paging and search, reading
  one, setting its application source with ``PATCH`` (``X-Version`` required), and the
  application sources.
* ``faults`` -- one-shot failures of the network path: 500s, slowness, dropped connections
  before and after the write is committed, HTML proxy pages, empty bodies.
* ``server`` -- the HTTP/1.1 server (keep-alive, Content-Length, JSON even for malformed
  requests) and `StandIn`, which tests start, inspect and stop.
* ``cli`` -- ``python -m deel_intake.standin`` (later ``deel-intake stand-in``).

Nothing here imports Qt or any third-party package.
"""

from deel_intake.standin._api import LoggedRequest
from deel_intake.standin.config import ALL_SCOPES, DEFAULT_TOKEN, StandInConfig
from deel_intake.standin.faults import Fault, FaultKind
from deel_intake.standin.server import StandIn

__all__ = [
    "ALL_SCOPES",
    "DEFAULT_TOKEN",
    "Fault",
    "FaultKind",
    "LoggedRequest",
    "StandIn",
    "StandInConfig",
]
