"""Adapters over S3 and DynamoDB: the only code that talks to AWS storage."""
