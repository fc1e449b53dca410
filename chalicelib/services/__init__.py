"""Use cases: what Cirrus does, independent of whether REST, DICOM or a job asked for it."""
