"""Cirrus's Chalice application: only wiring. Routes live in chalicelib/api/routes."""

from chalice import Chalice

from chalicelib.api.routes import content, resources, system

app = Chalice(app_name="cirrus")
# Binary answers are sent for these types when the client's Accept allows them (curl and
# requests send */*). Keep the list explicit: "*/*" would make Chalice refuse every request
# that has no Accept header.
app.api.binary_types = [
    "application/dicom",
    "application/octet-stream",
    "application/zip",
    "application/gzip",
    "image/png",
    "image/jpeg",
    "multipart/related",
]

for _blueprint in (system, resources, content):
    app.register_blueprint(_blueprint.blueprint)
