"""Cirrus: Orthanc's REST API over S3 and DynamoDB. All the logic of the handlers lives here."""

# Cirrus's own release (``/system``'s ``Cirrus.Version``; the DeidentificationMethod it writes).
CIRRUS_VERSION = "0.1.0"
