"""What Cirrus asks of DICOM modalities (Cirrus is the SCU): the modalities it knows, C-ECHO,
C-STORE, C-FIND queries, C-MOVE/C-GET retrieves, storage commitment requests. Driven by the
/modalities, /queries and /storage-commitment routes and by jobs."""
