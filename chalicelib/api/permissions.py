"""The policy table: which role each method of each route needs.

One table for every deployment: locally the app authenticates the caller itself, on AWS the
API's authorizer does and names the caller's role in the request's context; either way
:func:`chalicelib.api.routing.serve` checks the role here, in the function, after method
faking (``X-HTTP-Method-Override``, ``?_method=``) has turned a GET or POST into the PUT or
DELETE it stands for, as Orthanc's authorization filter sees the faked method. (The AWS
authorizer cannot: a TOKEN authorizer sees the ``Authorization`` header only, and its
answer is cached per token for every method and path of the API.)

By default a GET reads and needs :data:`READ_ONLY`, any other method changes something and
needs :data:`ADMINISTRATOR`. The exceptions are listed below with their reason: the POST
routes that only read (a search, or a download whose body says what to put in it), and
storing new data, which a clinical user does every day (:data:`UPLOADER`). A path that
names no route follows the default, like Orthanc's filter, which runs before routing.
"""

from __future__ import annotations

from chalicelib.credentials import ADMINISTRATOR, READ_ONLY, UPLOADER

LEVELS = ("patients", "studies", "series", "instances")
# The levels holding other resources (archives and media are made of them).
COLLECTIONS = LEVELS[:3]

# POST routes that read only: searches (their query is too large for a URL), downloads of
# ZIP archives and DICOMDIR media (synchronous, or as a job whose output is the download:
# nothing is stored in the archive), and checking an attachment's MD5.
READING_POSTS = (
    "/tools/find",
    "/tools/lookup",
    "/tools/count-resources",
    "/tools/bulk-content",
    "/tools/create-archive",
    "/tools/create-media",
    "/tools/create-media-extended",
    "/{collection}/{id}/archive",
    "/{collection}/{id}/media",
    "/{level}/{id}/attachments/{name}/verify-md5",
)
# POST routes that store new instances, and nothing else: uploads (small, and large ones
# through S3) and creating a DICOM file from JSON. (With OverwriteInstances, off by default,
# an upload replaces a stored instance of the same SOP Instance UID: a deployer turning it on
# lets uploaders replace instances.)
UPLOADS = (
    "/instances",
    "/cirrus/uploads",
    "/cirrus/uploads/{id}/complete",
    "/tools/create-dicom",
    "/dicom-web/studies",  # STOW-RS
    "/dicom-web/studies/{study}",
)


def _expand(route: str) -> list[str]:
    """``route`` for each level ``{level}`` or ``{collection}`` stands for, if it names one."""
    for placeholder, levels in (("{level}", LEVELS), ("{collection}", COLLECTIONS)):
        if placeholder in route:
            return [route.replace(placeholder, level) for level in levels]
    return [route]


POLICY: dict[tuple[str, str], str] = {
    **{("POST", route): READ_ONLY for pattern in READING_POSTS for route in _expand(pattern)},
    **{("POST", route): UPLOADER for pattern in UPLOADS for route in _expand(pattern)},
}


def required_role(method: str, route: str) -> str:
    """The role a request needs: ``method`` as faked, ``route`` as the app declares it
    (``/instances/{id}``)."""
    return POLICY.get((method, route), READ_ONLY if method == "GET" else ADMINISTRATOR)
