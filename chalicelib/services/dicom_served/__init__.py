"""What modalities ask of Cirrus's DICOM service (Cirrus is the SCP): who may call, storing what
they C-STORE, answering C-FIND, C-MOVE and C-GET, checking storage commitment requests."""
