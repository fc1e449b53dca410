"""Pure DICOM logic: identifiers, tags and their Orthanc JSON forms. No AWS in here."""
