"""``/{level}/{id}/module``: the tags of one DICOM module, read from one instance.

Orthanc 1.10.1 answers a patient's, study's or series' module from one of its instances (the
first of its list of child instances, which is the one stored last), and filters that
instance's ``/tags`` down to the module's tags (``chalicelib/dicom/modules.py``). Cirrus reads
the first instance in ID order instead: one ``Limit 1`` Query per level down, where finding
the last one stored would read every record below the resource. The instances of a resource
normally agree on its module (they are the values the index keeps for it), so the choice only
shows when they do not.

As in Orthanc, the routes of the patient, study and series levels do not check the level of
the resource they are given: ``/patients/{id}/module`` of a study or an instance answers the
patient module of (an instance of) that resource. Only ``/instances/{id}/module`` needs an
instance.
"""

from __future__ import annotations

from typing import Any

from chalicelib.dicom import orthanc_json
from chalicelib.dicom.identifiers import Level, is_resource_id
from chalicelib.dicom.modules import (
    PATIENT_MODULE,
    SERIES_MODULE,
    SOP_COMMON_MODULE,
    STUDY_MODULE,
)
from chalicelib.dicom.tag_dictionary import format_tag
from chalicelib.dicom.tag_format import TagFormat
from chalicelib.errors import unknown_resource
from chalicelib.services.resources.content import ContentService
from chalicelib.storage.index import ResourceIndex

# The module each level shows; an instance's is its SOP Common module.
MODULE_TAGS: dict[Level, frozenset[str]] = {
    level: frozenset(format_tag(tag) for tag in tags)
    for level, tags in (
        (Level.PATIENT, PATIENT_MODULE),
        (Level.STUDY, STUDY_MODULE),
        (Level.SERIES, SERIES_MODULE),
        (Level.INSTANCE, SOP_COMMON_MODULE),
    )
}


class ModuleService:
    def __init__(self, index: ResourceIndex, content: ContentService) -> None:
        self._index = index
        self._content = content

    def module(
        self, module: Level, resource_id: str, fmt: TagFormat, ignore_length: frozenset[int]
    ) -> dict[str, Any]:
        """The tags of ``module`` in the instance that speaks for ``resource_id``, in
        ``fmt``; values of the ``ignore_length`` tags are shown however long."""
        instance_id = (
            resource_id if module is Level.INSTANCE else self._sample_instance(resource_id)
        )
        dataset = self._content.dataset(instance_id, with_pixels=False)
        encoding = self._content.default_encoding()
        full = orthanc_json.full_tags(dataset, ignore_length, default_encoding=encoding)
        wanted = MODULE_TAGS[module]
        return orthanc_json.reformat({k: v for k, v in full.items() if k in wanted}, fmt.value)

    def _sample_instance(self, resource_id: str) -> str:
        """The first instance below a resource of any level (itself if it is one): a
        ``Limit 1`` Query of the links per level down. A resource without children is
        then read by ``ContentService``, which refuses anything but an instance (404)."""
        if not is_resource_id(resource_id):
            raise unknown_resource()
        current = resource_id
        while links := self._index.children(current, limit=1):
            current = links[0].child
            if links[0].level is Level.INSTANCE:
                break
        return current
