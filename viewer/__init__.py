"""The OHIF Viewer served at ``/ohif/``: npm's prebuilt package, re-based and configured."""
