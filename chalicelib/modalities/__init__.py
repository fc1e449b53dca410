"""DICOM modalities: their definitions (plain data) and the SCU that talks to them."""
