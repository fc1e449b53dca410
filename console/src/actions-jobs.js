// Following a job the selection actions started (send, modify, anonymize, a large archive):
// its state and progress, polled every second until it succeeds or fails.
import { useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { get } from './api.js';
import { ErrorMessage, ProgressBar, useInterval } from './ui.js';

const POLL_MS = 1000;
const ENDED = new Set(['Success', 'Failure']);

// What a failed job says: Orthanc's ErrorDescription, and its details when it has some.
export function jobFailure(job) {
  const details = job.ErrorDetails ? `: ${job.ErrorDetails}` : '';
  return new Error(`${job.ErrorDescription || 'The job failed'}${details} (job ${job.ID})`);
}

// One job's line: `title`, its state and a progress bar; onEnd(job) once it has ended.
export function JobProgress({ id, title, onEnd }) {
  const [job, setJob] = useState(null);
  const [error, setError] = useState(null);
  const ended = useRef(false);
  const poll = async () => {
    try {
      const current = await get(`/jobs/${id}`);
      setJob(current);
      if (ENDED.has(current.State) && !ended.current) {
        ended.current = true;
        onEnd(current);
      }
    } catch (failure) {
      setError(failure);
    }
  };
  useInterval(poll, POLL_MS, !error && !ended.current);
  const state = job ? job.State : 'Pending';
  const progress = job ? job.Progress : 0;
  return html`<div class="actions-job" data-testid="job" data-state=${state} role="status">
    <div class="actions-job-line">
      <span>${title}</span>
      <span class="muted">${state}, ${progress}%</span>
    </div>
    <${ProgressBar} value=${progress} label=${`${title}: progress`} />
    <${ErrorMessage} error=${error} />
  </div>`;
}
