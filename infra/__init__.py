"""The CDK app that deploys Cirrus (docs/deploy.md)."""
