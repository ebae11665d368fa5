"""The doccano review loop: a local server, push suggestions, pull confirmed codes, report."""
