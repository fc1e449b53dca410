"""Jobs: Orthanc's asynchronous operations, as records in DynamoDB driven by Step Functions."""
