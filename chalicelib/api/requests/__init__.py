"""Reading request bodies into the typed requests the services take, with Orthanc's checks,
messages and order: services never see a JSON body."""
