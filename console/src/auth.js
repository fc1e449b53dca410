// Who the console calls the API as. Locally without AuthenticationEnabled nobody needs to sign
// in; otherwise the console keeps the credentials of this tab's session (sessionStorage: gone
// when the tab closes) and sends them on every request: Orthanc's users as HTTP Basic, or
// the ID token of Cognito's hosted sign-in (config.json's "Cognito", on AWS) as Bearer.
//
// The hosted sign-in is OAuth's authorization-code grant with PKCE (the console is a public
// client: no secret): the console sends the browser to the pool's /oauth2/authorize with the
// hash of a random verifier kept in this tab, Cognito (password, then the required second
// factor) sends it back to the console's URL with a code, and the console exchanges the code
// and the verifier at /oauth2/token. The ID token is the one kept: the API's authorizer
// accepts ID and access tokens alike, and the ID token names the user (cognito:username)
// and their groups (cognito:groups), which give the role.
import { signal } from './state.js';

const KEY = 'cirrus.authorization';
// The hosted sign-in under way: {verifier, state, hash} (the page to return to).
const PENDING = 'cirrus.pkce';
const SCOPES = 'openid email profile';

// True when the API refused the credentials (or a sign-in is to finish): the layout then
// shows the sign-in page.
export const needsSignIn = signal(returningFromSignIn());
// True while credentials are kept: the layout then offers "Sign out".
export const signedIn = signal(Boolean(sessionStorage.getItem(KEY)));
// Why the sign-in page shows when the user had signed in (null otherwise).
export const signInReason = signal(null);

export function authorization() {
  return sessionStorage.getItem(KEY);
}

function keep(header) {
  sessionStorage.setItem(KEY, header);
  signInReason.set(null);
  signedIn.set(true);
  needsSignIn.set(false);
}

function forget() {
  sessionStorage.removeItem(KEY);
  signedIn.set(false);
}

// The API answered 401: the credentials (if any) are no good any more.
export function signedOut() {
  if (authorization()) signInReason.set('The API refused your sign-in (expired, or no longer valid): sign in again.');
  forget();
  needsSignIn.set(true);
}

let configuration = null;

// config.json beside index.html, read once: {"Cognito": null | {Domain, ClientId,
// RedirectUri}, ...}.
export function siteConfig() {
  configuration ||= fetch('config.json', { cache: 'no-cache' }).then((response) => {
    if (!response.ok) throw new Error(`The console's settings could not be read (config.json, HTTP ${response.status})`);
    return response.json();
  });
  return configuration;
}

// "Basic <base64>" for a user name and password (UTF-8, as Orthanc reads them).
export function basicHeader(username, password) {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

// Keep credentials the caller has checked against the API.
export function signInBasic(header) {
  keep(header);
}

export async function signOut() {
  const wasBearer = (authorization() || '').startsWith('Bearer ');
  forget();
  needsSignIn.set(true);
  const { Cognito: cognito } = await siteConfig().catch(() => ({}));
  if (wasBearer && cognito) {
    // Ends the pool's session too, or the next "Sign in with Cognito" would skip the password.
    const query = new URLSearchParams({ client_id: cognito.ClientId, logout_uri: cognito.RedirectUri });
    location.assign(`${cognito.Domain}/logout?${query}`);
  }
}

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomText() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

// Leave for the pool's sign-in page; it comes back to RedirectUri with ?code=...&state=...
export async function startCognitoSignIn(cognito) {
  const verifier = randomText();
  const state = randomText();
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, hash: location.hash }));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: cognito.ClientId,
    redirect_uri: cognito.RedirectUri,
    scope: SCOPES,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  location.assign(`${cognito.Domain}/oauth2/authorize?${query}`);
}

function returningFromSignIn() {
  const query = new URLSearchParams(location.search);
  return query.has('code') || query.has('error');
}

// The page's address without the sign-in's answer, back on the page the user left (the
// router follows hashchange, which replaceState does not fire).
function cleanUrl(hash) {
  history.replaceState(null, '', `${location.pathname}${hash || location.hash}`);
  dispatchEvent(new HashChangeEvent('hashchange'));
}

// On the way back from the pool's sign-in page: exchange the code for tokens and keep the ID
// token. Returns false when the page was not opened by the sign-in; throws what went wrong.
export async function finishCognitoSignIn() {
  if (!returningFromSignIn()) return false;
  const query = new URLSearchParams(location.search);
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
  sessionStorage.removeItem(PENDING);
  cleanUrl(pending && pending.hash);
  if (query.has('error')) {
    throw new Error(`Cognito refused the sign-in: ${query.get('error_description') || query.get('error')}`);
  }
  if (!pending || pending.state !== query.get('state')) {
    throw new Error('This sign-in was not started in this tab (or was already used): sign in again.');
  }
  const { Cognito: cognito } = await siteConfig();
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: cognito.ClientId,
    code: query.get('code'),
    redirect_uri: cognito.RedirectUri,
    code_verifier: pending.verifier,
  });
  let response;
  try {
    response = await fetch(`${cognito.Domain}/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form,
      credentials: 'omit',
    });
  } catch {
    throw new Error(`Cognito could not be reached (${cognito.Domain})`);
  }
  const tokens = await response.json().catch(() => ({}));
  if (!response.ok || !tokens.id_token) {
    throw new Error(`Cognito did not give the tokens: ${tokens.error_description || tokens.error || `HTTP ${response.status}`}`);
  }
  keep(`Bearer ${tokens.id_token}`);
  return true;
}
