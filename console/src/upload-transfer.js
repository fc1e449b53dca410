// How one file reaches Cirrus, with its progress. A file the API can carry is the body of
// `POST /instances`; a larger one goes through S3 (chalicelib/services/resources/large_uploads.py):
// `POST /cirrus/uploads` gives a presigned URL, the file is PUT there, and
// `GET /cirrus/uploads/{id}` gives the answer `POST /instances` would have given once Cirrus has
// stored it. Both paths resolve with that answer (one object, or a list for a ZIP) or throw an
// Error whose message the user reads. XMLHttpRequest, not fetch: only it reports upload progress.
import { API_ROOT, ApiError, failure, get, post } from './api.js';
import { authorization } from './auth.js';

const POLL_MS = 500;
// How long Cirrus may take to store an upload after S3 received it.
const STORE_TIMEOUT_MS = 10 * 60 * 1000;

// Send `body` and resolve with {status, text} (status 0: no answer, the network or the page's
// policy stopped it); `onProgress(fraction)` follows the body's upload.
function send(method, url, body, headers, onProgress) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText });
    xhr.onerror = () => resolve({ status: 0, text: '' });
    xhr.send(body);
  });
}

// The body is sent with no type of its own: a File's type (application/zip...) would become a
// Content-Type that a presigned URL does not sign, and POST /instances reads the bytes anyway.
const untyped = (file) => new Blob([file]);

// POST /instances's answer, or the ApiError its status and Orthanc error body make.
export async function uploadDirect(file, onProgress) {
  const headers = { 'Content-Type': 'application/octet-stream' };
  const credentials = authorization();
  if (credentials) headers.Authorization = credentials;
  const { status, text } = await send('POST', `${API_ROOT}/instances`, untyped(file), headers, onProgress);
  if (status >= 200 && status < 300) return JSON.parse(text);
  throw failure(status, text, 'POST', '/instances');
}

// The same answer through S3, for files larger than the API carries. The presigned URL is S3's
// (the emulator's locally): it gets no Authorization header, its signature is the credential.
export async function uploadThroughS3(file, onProgress) {
  const upload = await post('/cirrus/uploads', { Size: file.size });
  const { status } = await send('PUT', upload.Url, untyped(file), {}, onProgress);
  const storage = new URL(upload.Url).origin;
  if (status === 0) {
    throw new Error(
      `The storage at ${storage} could not be reached (network, its CORS rules, or the page's connect-src policy)`,
    );
  }
  if (status >= 300) throw new Error(`The storage at ${storage} refused the file (HTTP ${status})`);
  return storedAnswer(upload.Path);
}

// Poll the upload's record until Cirrus has stored it: its answer, or its error as an ApiError.
async function storedAnswer(path) {
  const deadline = Date.now() + STORE_TIMEOUT_MS;
  for (;;) {
    const record = await get(path);
    if (record.State === 'Done') {
      if (record.HttpStatus >= 300) throw new ApiError(record.HttpStatus, record.Answer, 'PUT', path);
      return record.Answer;
    }
    if (Date.now() > deadline) throw new Error(`Cirrus did not store the upload in time (GET ${path})`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
