// The API calls behind the selection actions (actions.js), without any UI: how a selection is
// named, archived, sent, labelled, modified, protected and deleted. A selection is a list of
// {Level: 'Patient'|'Study'|'Series'|'Instance', ID, Label}.
import { ApiError, del, get, post, put, request } from './api.js';

const COLLECTIONS = { Patient: 'patients', Study: 'studies', Series: 'series', Instance: 'instances' };
const SINGULARS = { Patient: 'patient', Study: 'study', Series: 'series', Instance: 'instance' };

// Orthanc's rule for a label: letters, digits, '_' and '-', 1 to 64 characters.
export const LABEL_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function resourcePath({ Level, ID }) {
  return `/${COLLECTIONS[Level]}/${ID}`;
}

// "1 study", "2 studies", "1 study and 3 series".
export function countOf(resources) {
  const counts = new Map();
  for (const { Level } of resources) counts.set(Level, (counts.get(Level) || 0) + 1);
  const parts = [...counts].map(([level, n]) => `${n} ${n === 1 ? SINGULARS[level] : COLLECTIONS[level]}`);
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0] || 'nothing';
}

// "2 studies: DOE^JOHN 2024-01-02 CT chest, ..." (at most `shown` labels).
export function describe(resources, shown = 3) {
  const labels = resources.slice(0, shown).map((r) => r.Label || r.ID);
  const more = resources.length > shown ? `, and ${resources.length - shown} more` : '';
  return `${countOf(resources)}: ${labels.join(', ')}${more}`;
}

// The file name of the selection's archive: its label when there is one resource.
export function archiveName(resources) {
  const base = resources.length === 1 ? resources[0].Label || resources[0].ID : `Cirrus ${countOf(resources)}`;
  return `${base.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') || 'archive'}.zip`;
}

// When API Gateway refuses the synchronous archive (413: a body above 10 MB, 502 and 504: a
// call over 29 s), the job form is used instead.
const USE_A_JOB = new Set([413, 502, 504]);

// An archive answer: {blob} when it is the body, or {url} when it is larger than the API's
// LargeObjectThreshold. The console asks for that URL as JSON (X-Cirrus-Download: link; a
// script can neither read a redirect's Location nor fetch from S3 under the page's policy),
// and the browser saves from it itself, streaming to disk.
async function archiveAnswer(method, path, json) {
  const response = await request(method, path, { json, as: 'response', headers: { 'X-Cirrus-Download': 'link' } });
  if ((response.headers.get('Content-Type') || '').startsWith('application/json')) {
    return { url: (await response.json()).Url };
  }
  return { blob: await response.blob() };
}

// The ZIP (media: a DICOMDIR one) of the selection: {blob} or {url} when the API answers it at
// once, else {job}, the ID of the job that builds it (then see jobArchive).
export async function createArchive(resources, media) {
  const path = media ? '/tools/create-media' : '/tools/create-archive';
  const Resources = resources.map((r) => r.ID);
  try {
    return await archiveAnswer('POST', path, { Resources });
  } catch (error) {
    if (!(error instanceof ApiError) || !USE_A_JOB.has(error.status)) throw error;
  }
  const job = await post(path, { Resources, Asynchronous: true });
  return { job: job.ID };
}

// The ZIP a successful archive job made: {blob} or {url}, as archiveAnswer.
export function jobArchive(jobId) {
  return archiveAnswer('GET', `/jobs/${jobId}/archive`);
}

// The peers and modalities the selection can be sent to: [{kind, name}].
export async function sendTargets() {
  const [peers, modalities] = await Promise.all([get('/peers'), get('/modalities')]);
  return [
    ...peers.map((name) => ({ kind: 'peers', name })),
    ...modalities.map((name) => ({ kind: 'modalities', name })),
  ];
}

// Start sending the selection to a peer or a modality: the job's ID.
export async function send(resources, { kind, name }) {
  const body = { Resources: resources.map((r) => r.ID), Asynchronous: true };
  return (await post(`/${kind}/${encodeURIComponent(name)}/store`, body)).ID;
}

export async function changeLabel(resources, label, add) {
  const change = add ? put : del;
  await Promise.all(resources.map((r) => change(`${resourcePath(r)}/labels/${encodeURIComponent(label)}`)));
}

// Start modifying or anonymizing (`operation`) the selection with `options` (Replace,
// KeepSource...): the job's ID. One resource has its own route; several go in one bulk job.
export async function transform(resources, operation, options) {
  const body = { ...options, Asynchronous: true };
  if (resources.length === 1) return (await post(`${resourcePath(resources[0])}/${operation}`, body)).ID;
  const levels = new Set(resources.map((r) => r.Level));
  const level = levels.size === 1 ? { Level: resources[0].Level } : {};
  return (await post(`/tools/bulk-${operation}`, { ...body, ...level, Resources: resources.map((r) => r.ID) })).ID;
}

// The IDs of the patients the selection belongs to (protection is a patient's state).
export async function patientsOf(resources) {
  const ids = await Promise.all(
    resources.map(async (r) => (r.Level === 'Patient' ? r.ID : (await get(`${resourcePath(r)}/patient`)).ID)),
  );
  return [...new Set(ids)];
}

export async function isProtected(patientId) {
  return (await get(`/patients/${patientId}/protected`)) === 1;
}

export async function setProtected(patientIds, on) {
  const body = on ? '1' : '0';
  await Promise.all(patientIds.map((id) => request('PUT', `/patients/${id}/protected`, { body, type: 'text/plain' })));
}

// Delete the whole selection in one call.
export async function remove(resources) {
  await post('/tools/bulk-delete', { Resources: resources.map((r) => r.ID) });
}
