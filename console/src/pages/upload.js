// The upload page (#/upload): files, folders and ZIP archives, dropped or chosen, each with a
// row showing its progress and what Cirrus answered, and a summary linking the studies
// touched. The queue itself (parallelism, the S3 route for large files) is upload-queue.js.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { get } from '../api.js';
import { link } from '../router.js';
import { useSignal } from '../state.js';
import { ErrorMessage, ProgressBar, formatBytes, formatDate, formatName, useLoad } from '../ui.js';
import { droppedFiles, inputFiles } from '../upload-files.js';
import { addFiles, cancelQueued, clearFinished, isPending, summary, uploads } from '../upload-queue.js';

// The studies the summary names (one GET each for their patient and description).
const STUDY_LINKS = 20;

export function UploadPage() {
  const rows = useSignal(uploads);
  const [error, setError] = useState(null);
  const fileInput = useRef(null);
  useEffect(preventDropNavigation, []);
  const chosen = (event) => {
    addFiles(inputFiles(event.currentTarget.files));
    event.currentTarget.value = ''; // choosing the same files again is a change too
  };
  const dropped = (dataTransfer) => droppedFiles(dataTransfer).then(addFiles, setError);
  return html`<h1>Upload</h1>
    <p class="muted">DICOM files, folders of them, or ZIP archives of them, of any size: files larger
    than the API carries go straight to the storage. A refused file does not stop the others.</p>
    <${DropZone} onFiles=${dropped} onClick=${() => fileInput.current.click()} />
    <div class="toolbar upload-pickers">
      <label class="button">Choose files
        <input ref=${fileInput} type="file" multiple class="upload-input" data-testid="upload-files-input" onChange=${chosen} />
      </label>
      <label class="button">Choose a folder
        <input type="file" webkitdirectory class="upload-input" data-testid="upload-folder-input" onChange=${chosen} />
      </label>
      <span class="upload-spacer"></span>
      <button type="button" data-testid="upload-cancel" disabled=${!rows.some((row) => row.state === 'queued')} onClick=${cancelQueued}>
        Cancel waiting files
      </button>
      <button type="button" data-testid="upload-clear" disabled=${!rows.some((row) => !isPending(row))} onClick=${clearFinished}>
        Clear finished
      </button>
    </div>
    <${ErrorMessage} error=${error} onDismiss=${() => setError(null)} />
    ${rows.length > 0 && html`<${Summary} rows=${rows} /><${UploadTable} rows=${rows} />`}`;
}

// The drop target, also a button opening the file picker (keyboard users, or no mouse).
function DropZone({ onFiles, onClick }) {
  const [over, setOver] = useState(false);
  const leave = (event) => !event.currentTarget.contains(event.relatedTarget) && setOver(false);
  const drop = (event) => {
    event.preventDefault();
    setOver(false);
    onFiles(event.dataTransfer);
  };
  return html`<button type="button" class=${`upload-drop${over ? ' over' : ''}`} data-testid="upload-drop"
      onClick=${onClick} onDragEnter=${() => setOver(true)} onDragOver=${(event) => event.preventDefault()}
      onDragLeave=${leave} onDrop=${drop}>
    <strong>Drop files or folders here</strong>
    <span>or press to choose files</span>
  </button>`;
}

// A file dropped beside the zone would make the browser open it, leaving the console.
function preventDropNavigation() {
  const stop = (event) => event.preventDefault();
  addEventListener('dragover', stop);
  addEventListener('drop', stop);
  return () => {
    removeEventListener('dragover', stop);
    removeEventListener('drop', stop);
  };
}

function Summary({ rows }) {
  const total = summary(rows);
  const shown = total.studies.slice(0, STUDY_LINKS);
  return html`<section class="upload-summary" data-testid="upload-summary" aria-live="polite">
    <p>
      <strong data-testid="upload-count-stored">${total.stored} stored</strong>
      <span data-testid="upload-count-already">${total.already} already stored</span>
      <span data-testid="upload-count-refused" class=${total.refused ? 'upload-refused' : ''}>${total.refused} refused</span>
      ${total.pending > 0 && html`<span class="muted" data-testid="upload-count-pending">${total.pending} to go</span>`}
      ${total.cancelled > 0 && html`<span class="muted">${total.cancelled} cancelled</span>`}
    </p>
    ${shown.length > 0 && html`<p class="upload-studies">
      <span class="muted">${total.studies.length === 1 ? 'Study' : 'Studies'}:</span>
      ${shown.map((id) => html`<${StudyLink} key=${id} id=${id} />`)}
      ${total.studies.length > shown.length && html`<span class="muted">and ${total.studies.length - shown.length} more</span>`}
    </p>`}
  </section>`;
}

// A study touched, named by its patient, description and date once they are loaded.
function StudyLink({ id }) {
  const { data, error } = useLoad(() => get(`/studies/${id}`), [id]);
  const tags = data ? { ...data.PatientMainDicomTags, ...data.MainDicomTags } : {};
  const label = data
    ? [formatName(tags.PatientName) || tags.PatientID, tags.StudyDescription, formatDate(tags.StudyDate)].filter(Boolean).join(' · ')
    : id;
  return html`<a href=${link('study', id)} data-testid="upload-study-link" title=${error ? error.message : id}>${label || id}</a>`;
}

function UploadTable({ rows }) {
  return html`<div class="upload-table">
    <table>
      <thead><tr><th scope="col">File</th><th scope="col" class="upload-size">Size</th><th scope="col">Status</th></tr></thead>
      <tbody>
        ${rows.map((row) => html`<tr key=${row.id} data-testid="upload-row" data-state=${row.state} data-route=${row.route}>
          <td class="upload-name">${row.name}</td>
          <td class="upload-size">${formatBytes(row.size)}</td>
          <td class="upload-status" data-testid="upload-result"><${Status} row=${row} /></td>
        </tr>`)}
      </tbody>
    </table>
  </div>`;
}

function Status({ row }) {
  const through = row.route === 's3' ? ' through S3' : '';
  switch (row.state) {
    case 'queued':
      return html`<span class="muted">Waiting</span>`;
    case 'sending':
      return html`<div class="upload-progress">
        <${ProgressBar} value=${row.progress} max=${1} label=${`Sending ${row.name}`} />
        <span>Sending${through} ${Math.round(100 * row.progress)}%</span>
      </div>`;
    case 'storing':
      return html`<div class="upload-progress">
        <${ProgressBar} value=${1} max=${1} label=${`Storing ${row.name}`} />
        <span>Storing…</span>
      </div>`;
    case 'done':
      return html`<span class="upload-ok">${resultText(row.result)}${through && html`<span class="muted">${through}</span>`}</span>`;
    case 'refused':
      return html`<span class="upload-refused">Refused: ${row.error.message || String(row.error)}</span>`;
    default:
      return html`<span class="muted">Cancelled</span>`;
  }
}

// "Stored", "Already stored", or a ZIP's "ZIP: 3 stored, 1 already stored".
function resultText({ stored, already, members }) {
  if (members === null) return stored ? 'Stored' : 'Already stored';
  const parts = [stored && `${stored} stored`, already && `${already} already stored`].filter(Boolean);
  return `ZIP of ${members} ${members === 1 ? 'instance' : 'instances'}: ${parts.join(', ')}`;
}
