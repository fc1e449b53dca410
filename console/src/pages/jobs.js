// The jobs page (#/jobs): every job the API remembers, newest first, from one GET /jobs?expand
// (fetched again every 2 s while one is pending or running). Each row tells what the job does
// and how far it got, and offers what its state allows: pause, resume, cancel (asked first),
// resubmit; its full JSON (and a failure's error) on demand; the ZIP of an archive job.
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { get, post } from '../api.js';
import { jobArchive } from '../actions-api.js';
import { link } from '../router.js';
import { ConfirmDialog, ErrorMessage, ProgressBar, formatBytes, saveFile, useInterval, useLoad } from '../ui.js';

const REFRESH_MS = 2000;
const ACTIVE = new Set(['Pending', 'Running']);
const CANCELED_JOB = 37; // Orthanc's ErrorCode of a cancelled job
// Orthanc's job types as a person names them (others are shown as the API names them).
const TYPES = {
  DicomModalityStore: 'Send to modality',
  OrthancPeerStore: 'Send to peer',
  Archive: 'ZIP archive',
  Media: 'DICOMDIR media',
  ResourceModification: 'Modify',
  MergeStudy: 'Merge studies',
  SplitStudy: 'Split study',
  DicomMoveScu: 'Retrieve (C-MOVE)',
};
// The actions each state allows, in the order of their buttons (Orthanc's rules).
const ACTIONS = {
  Pending: ['pause', 'cancel'],
  Running: ['pause', 'cancel'],
  Paused: ['resume', 'cancel'],
  Failure: ['resubmit'],
};
const ACTION_LABELS = { pause: 'Pause', resume: 'Resume', cancel: 'Cancel…', resubmit: 'Resubmit' };

export function JobsPage() {
  const jobs = useLoad(() => get('/jobs', { query: { expand: '' } }).then(newestFirst), []);
  const [busy, setBusy] = useState(null); // "<id> <action>" while it is sent
  const [error, setError] = useState(null);
  const [asked, setAsked] = useState(null); // the job whose cancellation is asked
  const running = (jobs.data || []).some((job) => ACTIVE.has(job.State));
  useInterval(jobs.reload, REFRESH_MS, running);

  const act = async (job, action) => {
    setBusy(`${job.ID} ${action}`);
    setError(null);
    try {
      await post(`/jobs/${job.ID}/${action}`, {});
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(null);
      jobs.reload();
    }
  };
  const onAction = (job, action) => (action === 'cancel' ? setAsked(job) : act(job, action));

  return html`<section class="jobs">
    <div class="jobs-head">
      <h1>Jobs</h1>
      <span class="muted" role="status" data-testid="jobs-status">
        ${!jobs.data && jobs.loading ? 'Loading…' : running ? 'Jobs are running: updated every 2 seconds' : ''}
      </span>
      <button type="button" onClick=${jobs.reload} data-testid="jobs-refresh">Refresh</button>
    </div>
    <${ErrorMessage} error=${jobs.error} />
    <div data-testid="jobs-error"><${ErrorMessage} error=${error} onDismiss=${() => setError(null)} /></div>
    ${jobs.data && html`<${JobsTable} jobs=${jobs.data} busy=${busy} onAction=${onAction} onError=${setError} />`}
    ${asked && html`<${ConfirmDialog} title="Cancel this job?" confirmLabel="Cancel the job" cancelLabel="Keep it"
      onCancel=${() => setAsked(null)}
      onConfirm=${() => {
        setAsked(null);
        act(asked, 'cancel');
      }}>
      <p>${typeName(asked)} (${summary(asked) || asked.ID}) stops where it is and ends as failed;
        what it already did stays done. It can be resubmitted afterwards.</p>
    <//>`}
  </section>`;
}

function JobsTable({ jobs, busy, onAction, onError }) {
  if (!jobs.length) {
    return html`<p class="muted" data-testid="jobs-empty">No jobs. Sending, retrieving, modifying and large downloads run as jobs, and are followed here.</p>`;
  }
  return html`<div class="jobs-scroll">
    <table class="jobs-table" data-testid="jobs-table">
      <thead><tr>
        <th scope="col">Job</th><th scope="col">State</th><th scope="col">Progress</th>
        <th scope="col">Created</th><th scope="col">Completed</th><th scope="col">Actions</th>
      </tr></thead>
      ${jobs.map((job) => html`<${JobRows} key=${job.ID} job=${job} busy=${busy} onAction=${onAction} onError=${onError} />`)}
    </table>
  </div>`;
}

// One job: its row, and the row of its details when they are open (a <tbody> keeps both).
function JobRows({ job, busy, onAction, onError }) {
  const [open, setOpen] = useState(false);
  const detailsId = `job-details-${job.ID}`;
  return html`<tbody>
    <tr data-testid="job-row" data-job-id=${job.ID} data-state=${job.State}>
      <td>
        <div class="jobs-type">${typeName(job)}</div>
        <div class="muted jobs-summary" data-testid="job-summary">${summary(job)}</div>
        <button type="button" class="link" aria-expanded=${open ? 'true' : 'false'} aria-controls=${detailsId}
          data-testid="job-details-toggle" onClick=${() => setOpen(!open)}>${open ? 'Hide details' : 'Details'}</button>
      </td>
      <td><${JobState} job=${job} /></td>
      <td class="jobs-progress">
        <${ProgressBar} value=${job.Progress} label=${`${typeName(job)}: progress`} />
        <span class="muted">${job.Progress}%</span>
      </td>
      <td><${Time} value=${job.CreationTime} /></td>
      <td><${Time} value=${job.CompletionTime} /></td>
      <td class="jobs-actions">
        ${(ACTIONS[job.State] || []).map((action) => html`<button type="button" data-testid=${`job-${action}`}
          disabled=${busy !== null} aria-busy=${busy === `${job.ID} ${action}` ? 'true' : undefined}
          aria-label=${`${ACTION_LABELS[action].replace('…', '')} job ${typeName(job)} ${job.ID}`}
          onClick=${() => onAction(job, action)}>${ACTION_LABELS[action]}</button>`)}
        ${hasArchive(job) && html`<${DownloadButton} job=${job} onError=${onError} />`}
      </td>
    </tr>
    ${open && html`<tr class="jobs-details" id=${detailsId}>
      <td colspan="6"><${JobDetails} job=${job} /></td>
    </tr>`}
  </tbody>`;
}

function JobState({ job }) {
  const canceled = job.State === 'Failure' && job.ErrorCode === CANCELED_JOB;
  return html`<span class=${`jobs-state jobs-state-${job.State.toLowerCase()}`} data-testid="job-state">
    ${canceled ? 'Canceled' : job.State}
  </span>`;
}

function JobDetails({ job }) {
  const made = job.Type === 'ResourceModification' && job.Content && job.Content.Type === 'Study' && job.Content.ID;
  return html`<div data-testid="job-details">
    ${job.State === 'Failure' && html`<p class="error" data-testid="job-error">
      <span>${job.ErrorDescription}${job.ErrorDetails ? `: ${job.ErrorDetails}` : ''} (error ${job.ErrorCode})</span>
    </p>`}
    ${made && html`<p><a href=${link('study', made)}>Open the study it made</a></p>`}
    <pre class="jobs-json">${JSON.stringify(job, null, 2)}</pre>
  </div>`;
}

// Download the ZIP a successful archive or media job made (fetched with the credentials).
function DownloadButton({ job, onError }) {
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    try {
      const ready = await jobArchive(job.ID);
      saveFile(ready.blob || ready.url, `${job.Type === 'Media' ? 'dicomdir' : 'archive'}-${job.ID.slice(0, 8)}.zip`);
    } catch (failure) {
      onError(failure);
    } finally {
      setBusy(false);
    }
  };
  return html`<button type="button" data-testid="job-download" disabled=${busy} aria-busy=${busy ? 'true' : undefined}
    onClick=${download}>${busy ? 'Downloading…' : 'Download ZIP'}</button>`;
}

function hasArchive(job) {
  return (job.Type === 'Archive' || job.Type === 'Media') && job.State === 'Success';
}

function newestFirst(jobs) {
  return [...jobs].sort((a, b) => (b.CreationTime || '').localeCompare(a.CreationTime || ''));
}

function typeName(job) {
  if (job.Type === 'ResourceModification' && job.Content && job.Content.IsAnonymization) return 'Anonymize';
  return TYPES[job.Type] || job.Type;
}

// What the job works on, from its Content: where it sends, how many instances, how large.
function summary(job) {
  const content = job.Content || {};
  const parts = [];
  if (content.RemoteAet) parts.push(`to ${content.RemoteAet}`);
  if (Array.isArray(content.Peer) && content.Peer.length) parts.push(`to ${content.Peer[0]}`);
  if (content.InstancesCount !== undefined) {
    parts.push(`${content.InstancesCount} instance${content.InstancesCount === 1 ? '' : 's'}`);
  }
  if (content.FailedInstancesCount) parts.push(`${content.FailedInstancesCount} failed`);
  if (content.ArchiveSize !== undefined) parts.push(formatBytes(content.ArchiveSize));
  return parts.join(' · ');
}

// One of Orthanc's job times (20261128T015822.123456, in UTC) in the browser's time zone, as
// "2026-11-28 01:58:22" (wrapping between the date and the time only).
function Time({ value }) {
  const parts = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)/.exec(value || '');
  if (!parts) return null;
  const [year, month, day, hours, minutes, seconds] = parts.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day, hours, minutes, seconds));
  const pad = (number) => String(number).padStart(2, '0');
  return html`<time class="jobs-time" datetime=${date.toISOString()}>
    <span>${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}</span>
    ${' '}<span>${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}</span>
  </time>`;
}
