// The REST API, as the console calls it: same origin, JSON in and out, Orthanc's error bodies
// turned into ApiError (whose message is what the user reads). Every call of the console goes
// through request(), so that credentials, errors and the API's root are handled in one place.
import { authorization, signedOut } from './auth.js';

// The API's root: the path before /ui/app/ ("" locally, "/api" behind API Gateway's stage).
export const API_ROOT = location.pathname.slice(0, location.pathname.indexOf('/ui/app/'));

export class ApiError extends Error {
  // status: the HTTP status (0 when the network failed); body: Orthanc's JSON error if any.
  constructor(status, body, method, path) {
    const detail = body && (body.Details || body.Message);
    super(
      status === 0
        ? `The API could not be reached (${method} ${path})`
        : `${detail || `HTTP ${status}`} (${method} ${path}, HTTP ${status})`,
    );
    this.status = status;
    this.body = body;
  }
}

// The ApiError of a refused call, from its status and body (Orthanc's JSON error, or a
// gateway's text); a 401 also shows the sign-in page.
export function failure(status, text, method, path) {
  let parsed = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not Orthanc's JSON error (a gateway's answer): the status says enough.
  }
  if (status === 401) signedOut();
  return new ApiError(status, parsed, method, path);
}

// Call the API. `json` is sent as a JSON body; `body` as is (a Blob, File or string) with
// `type`; `as` picks the answer's form: 'json' (default), 'text', 'blob' or 'response'.
export async function request(method, path, { json, body, type, query, as = 'json', signal, headers = {} } = {}) {
  const url = new URL(API_ROOT + path, location.origin);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null) url.searchParams.set(key, value);
  }
  const sent = { ...headers };
  const credentials = authorization();
  if (credentials) sent.Authorization = credentials;
  if (json !== undefined) {
    sent['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (type) {
    sent['Content-Type'] = type;
  }
  let response;
  try {
    // 'omit': the credentials are the Authorization header above, never the browser's own;
    // and a 401 with Orthanc's WWW-Authenticate: Basic then shows the console's sign-in page
    // rather than the browser's native password prompt (which Chromium opens for a fetch
    // whose credentials mode includes them).
    response = await fetch(url, { method, headers: sent, body, signal, credentials: 'omit' });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, null, method, path);
  }
  if (!response.ok) throw failure(response.status, await response.text(), method, path);
  if (as === 'response') return response;
  if (as === 'blob') return response.blob();
  if (as === 'text') return response.text();
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

export const get = (path, options) => request('GET', path, options);
export const post = (path, json, options = {}) => request('POST', path, { ...options, json });
export const put = (path, json, options = {}) => request('PUT', path, { ...options, json });
export const del = (path, options) => request('DELETE', path, options);

// A URL of the API for the browser to open itself (an <img>, a download link, the viewer).
export function apiUrl(path) {
  return API_ROOT + path;
}
