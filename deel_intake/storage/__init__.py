"""What deel-intake keeps on this computer: paths, settings, the token store. No Qt.

Modules are imported one by one, so the UI can use settings without importing keyring.
"""
