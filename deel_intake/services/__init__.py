"""The thin Qt layer between the window and the Qt-free core: background jobs with signals."""
