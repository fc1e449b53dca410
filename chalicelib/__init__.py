"""Cirrus: Orthanc's REST API over S3 and DynamoDB. All the logic of the handlers lives here."""
