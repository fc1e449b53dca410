"""What a user downloads: ZIP archives and DICOMDIR media (also as jobs), NumPy arrays, and the
presigned S3 links that carry answers larger than the API does."""
