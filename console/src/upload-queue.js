// The upload queue: every file the user handed the upload page, its progress and its result.
// It lives in a signal of this module rather than in the page, so that uploads go on, and
// their results stay, while the user looks at another page. A few files travel at a time.
//
// A row: {id, name, size, file, state, progress (0..1), route, result, error} where state is
// 'queued' | 'sending' | 'storing' | 'done' | 'refused' | 'cancelled', route 'direct' or 's3',
// and result {stored, already, studies, members} (members: a ZIP's count, else null).
import { siteConfig } from './auth.js';
import { signal } from './state.js';
import { uploadDirect, uploadThroughS3 } from './upload-transfer.js';

const PARALLEL = 3;
// POST /instances's limit when the site's config.json does not name it: Cirrus's default
// LargeObjectThreshold (4 MiB: API Gateway and Lambda carry 6 MB, base64 included).
const DEFAULT_DIRECT_LIMIT = 4 * 1024 * 1024;
const IN_FLIGHT = ['sending', 'storing'];

export const uploads = signal([]);
let lastId = 0;
let directLimit = null;

export const isPending = (row) => row.state === 'queued' || IN_FLIGHT.includes(row.state);

// Queue `items` ({file, name}) and start what the parallelism allows.
export function addFiles(items) {
  const rows = items.map(({ file, name }) => ({
    id: ++lastId,
    name,
    size: file.size,
    file,
    state: 'queued',
    progress: 0,
    route: 'direct',
  }));
  uploads.set([...uploads.get(), ...rows]);
  pump();
}

export function cancelQueued() {
  uploads.set(uploads.get().map((row) => (row.state === 'queued' ? { ...row, state: 'cancelled' } : row)));
}

export function clearFinished() {
  uploads.set(uploads.get().filter(isPending));
}

// What the rows add up to: instances stored and already stored, files refused, the studies
// touched, and how many files are still waiting or travelling.
export function summary(rows) {
  const total = { stored: 0, already: 0, refused: 0, pending: 0, cancelled: 0, studies: new Set() };
  for (const row of rows) {
    if (row.result) {
      total.stored += row.result.stored;
      total.already += row.result.already;
      row.result.studies.forEach((study) => total.studies.add(study));
    }
    if (row.state === 'refused') total.refused += 1;
    if (row.state === 'cancelled') total.cancelled += 1;
    if (isPending(row)) total.pending += 1;
  }
  return { ...total, studies: [...total.studies] };
}

function update(id, changes) {
  uploads.set(uploads.get().map((row) => (row.id === id ? { ...row, ...changes } : row)));
}

function pump() {
  const rows = uploads.get();
  let free = PARALLEL - rows.filter((row) => IN_FLIGHT.includes(row.state)).length;
  for (const row of rows) {
    if (free <= 0) return;
    if (row.state === 'queued') {
      free -= 1;
      upload(row);
    }
  }
}

async function upload(row) {
  update(row.id, { state: 'sending' });
  const onProgress = (fraction) => update(row.id, { progress: fraction, state: fraction < 1 ? 'sending' : 'storing' });
  try {
    const result = resultOf(await transfer(row, onProgress));
    update(row.id, { state: 'done', progress: 1, result });
  } catch (error) {
    update(row.id, { state: 'refused', error });
  }
  pump();
}

// POST /instances for what the API carries, S3 above: the site's DirectUploadLimit says where
// the line is, and a 413 of the API (a smaller limit than the site thinks) sends the file on
// through S3 as well.
async function transfer(row, onProgress) {
  if (row.size <= (await loadDirectLimit())) {
    try {
      return await uploadDirect(row.file, onProgress);
    } catch (error) {
      if (error.status !== 413) throw error;
    }
  }
  update(row.id, { route: 's3', progress: 0, state: 'sending' });
  return uploadThroughS3(row.file, onProgress);
}

// A row's result from POST /instances's answer: one file's status, or a ZIP's members'.
function resultOf(answer) {
  const list = Array.isArray(answer) ? answer : [answer];
  if (!list.length) throw new Error('No DICOM file was found in this archive');
  return {
    stored: list.filter((item) => item.Status === 'Success').length,
    already: list.filter((item) => item.Status === 'AlreadyStored').length,
    studies: [...new Set(list.map((item) => item.ParentStudy))],
    members: Array.isArray(answer) ? list.length : null,
  };
}

// The site's config.json (beside index.html) may set DirectUploadLimit, in bytes.
function loadDirectLimit() {
  if (!directLimit) {
    directLimit = siteConfig()
      .then((config) => (Number.isFinite(config.DirectUploadLimit) ? config.DirectUploadLimit : DEFAULT_DIRECT_LIMIT))
      .catch(() => DEFAULT_DIRECT_LIMIT);
  }
  return directLimit;
}

// Closing the tab while files travel loses them: the browser asks first.
addEventListener('beforeunload', (event) => {
  if (uploads.get().some(isPending)) event.preventDefault();
});
