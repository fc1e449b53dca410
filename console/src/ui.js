// Small components and hooks every page uses. A page's own pieces stay in its module.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';

// An error the user must read: the API's message (ApiError) or any other failure.
export function ErrorMessage({ error, onDismiss }) {
  if (!error) return null;
  return html`<div class="error" role="alert">
    <span>${error.message || String(error)}</span>
    ${onDismiss && html`<button type="button" class="link" onClick=${onDismiss}>Dismiss</button>`}
  </div>`;
}

export function ProgressBar({ value, max = 100, label }) {
  return html`<progress value=${value} max=${max} aria-label=${label}>${Math.round((100 * value) / max)}%</progress>`;
}

// Run `load` (an async function) when `deps` change: {data, error, loading, reload}. A stale
// answer (deps changed meanwhile) is dropped.
export function useLoad(load, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const generation = useRef(0);
  const reload = useCallback(() => {
    const current = ++generation.current;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => current === generation.current && setState({ data, error: null, loading: false }),
      (error) => current === generation.current && setState({ data: null, error, loading: false }),
    );
  }, deps);
  useEffect(reload, [reload]);
  return { ...state, reload };
}

// Call `tick` every `ms` milliseconds while `active`.
export function useInterval(tick, ms, active = true) {
  const saved = useRef(tick);
  saved.current = tick;
  useEffect(() => {
    if (!active) return undefined;
    const id = setInterval(() => saved.current(), ms);
    return () => clearInterval(id);
  }, [ms, active]);
}

// A modal question: the dialog element gives focus trapping and Escape for free.
export function ConfirmDialog({ title, children, confirmLabel = 'Confirm', cancelLabel = 'Cancel', onConfirm, onCancel }) {
  const ref = useRef(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return html`<dialog ref=${ref} aria-labelledby="dialog-title" onCancel=${onCancel}>
    <h2 id="dialog-title">${title}</h2>
    <div>${children}</div>
    <div class="buttons">
      <button type="button" onClick=${onCancel}>${cancelLabel}</button>
      <button type="button" class="danger" onClick=${onConfirm}>${confirmLabel}</button>
    </div>
  </dialog>`;
}

// A modal form (fields as children): Cancel, and a submit button that Enter also presses.
export function FormDialog({ title, children, submitLabel, onSubmit, onCancel, busy = false, testid }) {
  const ref = useRef(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  const submit = (event) => {
    event.preventDefault();
    onSubmit();
  };
  return html`<dialog ref=${ref} aria-labelledby="form-dialog-title" onCancel=${onCancel} data-testid=${testid}>
    <form class="form-dialog" onSubmit=${submit}>
      <h2 id="form-dialog-title">${title}</h2>
      ${children}
      <div class="buttons">
        <button type="button" onClick=${onCancel}>Cancel</button>
        <button type="submit" class="primary" disabled=${busy}>${submitLabel}</button>
      </div>
    </form>
  </dialog>`;
}

// DICOM's YYYYMMDD as YYYY-MM-DD (anything else unchanged).
export function formatDate(value) {
  return /^\d{8}$/.test(value || '') ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6)}` : value || '';
}

// DICOM's person name (Last^First^...) as "Last, First".
export function formatName(value) {
  if (!value) return '';
  const [last, first, ...rest] = value.split('^');
  return [last, [first, ...rest].filter(Boolean).join(' ')].filter(Boolean).join(', ');
}

export function formatBytes(bytes) {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit ? 1 : 0)} ${units[unit]}`;
}

// Ask the browser to save a Blob (or open the API's URL) as the file `name`, as a click on a
// download link does. A blob's URL is released once the save has started.
export function saveFile(blobOrUrl, name) {
  const isBlob = typeof blobOrUrl !== 'string';
  const anchor = document.createElement('a');
  anchor.href = isBlob ? URL.createObjectURL(blobOrUrl) : blobOrUrl;
  anchor.download = name;
  anchor.click();
  if (isBlob) setTimeout(() => URL.revokeObjectURL(anchor.href), 60000);
}
