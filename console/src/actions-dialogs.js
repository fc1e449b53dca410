// The dialogs of the selection actions that ask for something first: where to send, which
// label, which tags to replace, whether to keep the source, protect or unprotect. Each calls
// onSubmit(...) (a promise: the dialog shows it running and its failure) and onCancel.
import { useState } from 'preact/hooks';
import { html } from './html.js';
import { ErrorMessage, FormDialog, useLoad } from './ui.js';
import { LABEL_PATTERN, countOf, isProtected, patientsOf, sendTargets } from './actions-api.js';

// {busy, error, run}: run(...args) calls submit(...args), keeping its failure to show.
function useSubmit(submit) {
  const [state, setState] = useState({ busy: false, error: null });
  const run = async (...args) => {
    setState({ busy: true, error: null });
    try {
      await submit(...args);
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return { ...state, run };
}

export function SendDialog({ resources, onSubmit, onCancel }) {
  const targets = useLoad(sendTargets, []);
  const [choice, setChoice] = useState(0);
  const { busy, error, run } = useSubmit(onSubmit);
  const list = targets.data || [];
  const group = (kind, label) => {
    const options = list.map((t, index) => [t, index]).filter(([t]) => t.kind === kind);
    return options.length > 0 && html`<optgroup label=${label}>
      ${options.map(([t, index]) => html`<option value=${index}>${t.name}</option>`)}
    </optgroup>`;
  };
  return html`<${FormDialog} title=${`Send ${countOf(resources)}`} submitLabel="Send" testid="send-dialog"
      busy=${busy || !list.length} onSubmit=${() => run(list[choice])} onCancel=${onCancel}>
    ${targets.loading && html`<p class="muted">Loading the peers and modalities…</p>`}
    <${ErrorMessage} error=${targets.error} />
    ${targets.data && !list.length && html`<p>No peer or modality is configured (OrthancPeers and DicomModalities in the configuration, or PUT /peers/{name} and /modalities/{name}).</p>`}
    ${list.length > 0 && html`<label>Destination
      <select data-testid="send-target" value=${choice} onChange=${(e) => setChoice(Number(e.currentTarget.value))}>
        ${group('peers', 'Orthanc peers')}
        ${group('modalities', 'DICOM modalities')}
      </select>
    </label>`}
    <${ErrorMessage} error=${error} />
  <//>`;
}

export function LabelsDialog({ resources, onSubmit, onCancel }) {
  const [label, setLabel] = useState('');
  const [add, setAdd] = useState(true);
  const [invalid, setInvalid] = useState(null);
  const { busy, error, run } = useSubmit(onSubmit);
  const submit = () => {
    const value = label.trim();
    const ok = LABEL_PATTERN.test(value);
    setInvalid(ok ? null : new Error('A label is 1 to 64 letters, digits, "_" or "-".'));
    if (ok) run(value, add);
  };
  return html`<${FormDialog} title=${`Labels of ${countOf(resources)}`} submitLabel=${add ? 'Add label' : 'Remove label'}
      testid="labels-dialog" busy=${busy} onSubmit=${submit} onCancel=${onCancel}>
    <fieldset class="actions-choice">
      <legend>Action</legend>
      <label><input type="radio" name="label-action" checked=${add} onChange=${() => setAdd(true)} /> Add to every resource</label>
      <label><input type="radio" name="label-action" checked=${!add} onChange=${() => setAdd(false)} /> Remove from every resource</label>
    </fieldset>
    <label>Label
      <input data-testid="label-input" value=${label} maxLength="64" autoFocus required
        aria-invalid=${invalid ? 'true' : undefined} onInput=${(e) => setLabel(e.currentTarget.value)} />
    </label>
    <${ErrorMessage} error=${invalid || error} />
  <//>`;
}

// A new, empty row of the replacement list.
const emptyRow = () => ({ tag: '', value: '' });

export function ModifyDialog({ resources, onSubmit, onCancel }) {
  const [rows, setRows] = useState([emptyRow()]);
  const [keepSource, setKeepSource] = useState(true);
  const { busy, error, run } = useSubmit(onSubmit);
  const edit = (index, field, value) => setRows(rows.map((row, i) => (i === index ? { ...row, [field]: value } : row)));
  const submit = () => {
    const filled = rows.filter((row) => row.tag.trim());
    const Replace = Object.fromEntries(filled.map((row) => [row.tag.trim(), row.value]));
    run({ Replace, KeepSource: keepSource });
  };
  return html`<${FormDialog} title=${`Modify ${countOf(resources)}`} submitLabel="Modify" testid="modify-dialog"
      busy=${busy} onSubmit=${submit} onCancel=${onCancel}>
    <p class="muted">Tags by keyword (StudyDescription) or number (0008,1030); the new value replaces the old one in every instance.</p>
    ${rows.map((row, index) => html`<div class="actions-replace">
      <label>Tag <input value=${row.tag} data-testid="modify-tag" onInput=${(e) => edit(index, 'tag', e.currentTarget.value)} /></label>
      <label>New value <input value=${row.value} data-testid="modify-value" onInput=${(e) => edit(index, 'value', e.currentTarget.value)} /></label>
      <button type="button" aria-label=${`Remove replacement ${index + 1}`} disabled=${rows.length === 1}
        onClick=${() => setRows(rows.filter((_, i) => i !== index))}>Remove</button>
    </div>`)}
    <button type="button" onClick=${() => setRows([...rows, emptyRow()])}>Add a tag</button>
    <${KeepSource} checked=${keepSource} onChange=${setKeepSource} />
    <${ErrorMessage} error=${error} />
  <//>`;
}

export function AnonymizeDialog({ resources, onSubmit, onCancel }) {
  const [keepSource, setKeepSource] = useState(true);
  const { busy, error, run } = useSubmit(onSubmit);
  return html`<${FormDialog} title=${`Anonymize ${countOf(resources)}`} submitLabel="Anonymize" testid="anonymize-dialog"
      busy=${busy} onSubmit=${() => run({ KeepSource: keepSource })} onCancel=${onCancel}>
    <p>Copies are made with the basic profile of DICOM PS3.15 (Orthanc's defaults): identifying tags removed or
      emptied, new UIDs, a new patient ID and a name such as Anonymized1. Private tags are removed.</p>
    <${KeepSource} checked=${keepSource} onChange=${setKeepSource} />
    <${ErrorMessage} error=${error} />
  <//>`;
}

function KeepSource({ checked, onChange }) {
  return html`<label class="actions-check">
    <input type="checkbox" checked=${checked} onChange=${(e) => onChange(e.currentTarget.checked)} />
    Keep the original (unchecked: it is deleted once the copy is made)
  </label>`;
}

// "2 patients", or "1 study of 1 patient" when the selection is not of patients.
function patientCount(resources, count) {
  const patients = `${count} patient${count === 1 ? '' : 's'}`;
  return resources.every((r) => r.Level === 'Patient') ? patients : `${countOf(resources)} of ${patients}`;
}

// Protection is a patient's: the dialog names the selection's patients and their state.
export function ProtectDialog({ resources, onSubmit, onCancel }) {
  const patients = useLoad(async () => {
    const ids = await patientsOf(resources);
    const states = await Promise.all(ids.map(isProtected));
    return { ids, protectedCount: states.filter(Boolean).length };
  }, []);
  const [protect, setProtect] = useState(true);
  const { busy, error, run } = useSubmit(onSubmit);
  const data = patients.data;
  return html`<${FormDialog} title="Protect from recycling" submitLabel=${protect ? 'Protect' : 'Unprotect'}
      testid="protect-dialog" busy=${busy || !data} onSubmit=${() => run(data.ids, protect)} onCancel=${onCancel}>
    <p class="muted">When the storage is full, the oldest unprotected patients are deleted first; protected ones are kept.</p>
    ${patients.loading && html`<p class="muted">Loading the patients…</p>`}
    <${ErrorMessage} error=${patients.error} />
    ${data && html`<p>${patientCount(resources, data.ids.length)}, ${data.protectedCount} of them protected now.</p>`}
    <fieldset class="actions-choice">
      <legend>Action</legend>
      <label><input type="radio" name="protect" checked=${protect} onChange=${() => setProtect(true)} /> Protect</label>
      <label><input type="radio" name="protect" checked=${!protect} onChange=${() => setProtect(false)} /> Unprotect</label>
    </fieldset>
    <${ErrorMessage} error=${error} />
  <//>`;
}
