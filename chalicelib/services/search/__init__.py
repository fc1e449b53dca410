"""Searching the index: /tools/find, /tools/count-resources and /tools/lookup (the same engine
serves the DICOM service's C-FIND)."""
