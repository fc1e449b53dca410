// Sign in: Cognito's hosted sign-in when config.json names a user pool (on AWS), and always
// Orthanc's users (HTTP Basic), checked against the API before they are kept. Shown by the
// layout whenever the API answers 401, and on the way back from the hosted sign-in, whose
// code it exchanges for tokens (auth.js). Also the "Sign out" button of the header.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { get } from '../api.js';
import {
  basicHeader,
  finishCognitoSignIn,
  signedIn,
  signInBasic,
  signInReason,
  signOut,
  siteConfig,
  startCognitoSignIn,
} from '../auth.js';
import { useSignal } from '../state.js';
import { ErrorMessage } from '../ui.js';

export function SignInPage() {
  const [config, setConfig] = useState(null);
  const [error, setError] = useState(null);
  // What is under way: 'returning' (exchanging Cognito's code), 'checking' (the Basic form),
  // 'leaving' (off to Cognito), or null.
  const [busy, setBusy] = useState('returning');
  const reason = useSignal(signInReason);
  useEffect(() => {
    siteConfig()
      .then((loaded) => {
        setConfig(loaded);
        return finishCognitoSignIn();
      })
      .catch(setError)
      .finally(() => setBusy(null));
  }, []);

  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const header = basicHeader(form.get('username'), form.get('password'));
    setBusy('checking');
    setError(null);
    try {
      await get('/system', { headers: { Authorization: header } });
      signInBasic(header);
    } catch (failure) {
      setError(failure.status === 401 ? new Error('Unknown user or wrong password.') : failure);
      setBusy(null);
    }
  };
  const cognito = config && config.Cognito;
  const leave = () => {
    setBusy('leaving');
    startCognitoSignIn(cognito).catch((failure) => {
      setError(failure);
      setBusy(null);
    });
  };

  if (busy === 'returning') {
    return html`<section class="signin"><p class="loading" role="status" data-testid="signin-pending">Signing in…</p></section>`;
  }
  return html`<section class="signin" data-testid="signin">
    <h1>Sign in to Cirrus</h1>
    ${reason && !error && html`<p class="notice" role="status" data-testid="signin-reason">${reason}</p>`}
    <${ErrorMessage} error=${error} />
    ${cognito && html`
      <button type="button" class="primary" onClick=${leave} disabled=${Boolean(busy)} data-testid="signin-cognito">
        Sign in with Cognito
      </button>
      <p class="signin-or muted">or with a Cirrus user</p>`}
    <form onSubmit=${submit} data-testid="signin-basic">
      <label>User <input name="username" autocomplete="username" required data-testid="signin-username" /></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required data-testid="signin-password" /></label>
      <button type="submit" class=${cognito ? '' : 'primary'} disabled=${Boolean(busy)} data-testid="signin-submit">
        ${busy === 'checking' ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  </section>`;
}

// The header's "Sign out", shown only while credentials are kept.
export function SignOutButton() {
  const kept = useSignal(signedIn);
  if (!kept) return null;
  return html`<button type="button" class="link" onClick=${signOut} data-testid="signout">Sign out</button>`;
}
