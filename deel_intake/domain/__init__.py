"""The candidate and its rules: pure Python and pydantic, no Qt, no network."""
