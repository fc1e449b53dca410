"""The CDK app that deploys Cirrus (grows with the infrastructure issue)."""
