"""Deel's REST API, without Qt.

- :mod:`~deel_intake.api.client`: the httpx client (``DeelClient``)
- :mod:`~deel_intake.api.errors`: the error tree, each leaf with a recruiter's sentence
- :mod:`~deel_intake.api.models`: what Deel answers, as plain values (no httpx: the UI may use it)
- :mod:`~deel_intake.api.environments`: Production, Sandbox or a custom base URL
- :mod:`~deel_intake.api.intake`: create a candidate, then set its source

Modules are imported one by one so that importing the errors does not import httpx.
"""
