"""The DICOM client (SCU): the associations Cirrus opens to modalities for C-ECHO, C-STORE,
C-FIND, C-MOVE, C-GET and storage commitment. pynetdicom is imported inside the calls."""
