"""The API Gateway authorizer of Cirrus (its own Lambda asset: infra/api_auth.py)."""
