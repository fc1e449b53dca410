"""Cirrus on one machine, without AWS: the engine of ``make run`` (``python -m local_stack``).

A supervisor process starts the services as child processes and stops them together:

- the AWS emulator: moto's server (S3, DynamoDB, DynamoDB Streams on one port), with its state
  kept across restarts by replaying moto's request recording (see :mod:`local_stack.recording`);
- the REST API: the Chalice app served by Chalice's local server, answering unknown routes the
  way the API Gateway of the deployed stack does (see :mod:`local_stack.rest`).

Settings come from the Orthanc-style configuration file (``CIRRUS_CONFIG``, else the bundled
default) and these environment variables:

- ``CIRRUS_HTTP_PORT``: the REST port, overriding the configuration's ``HttpPort`` (tests and
  benchmarks use it to run on a free port);
- ``CIRRUS_EMULATOR_PORT``: the emulator's port (default 4566, the port of LocalStack, so
  ``aws --endpoint-url http://127.0.0.1:4566`` works);
- ``CIRRUS_DATA_DIR``: where the recording is kept (default ``data/`` in the project root).
"""
