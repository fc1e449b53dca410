// The selection actions: one bar of buttons acting on a list of resources ({Level, ID, Label})
// that the study list and the study page give it. Download (ZIP, DICOMDIR), send, labels,
// modify, anonymize, protect, delete; the jobs they start are followed until they end, every
// end is told in a notice or an error, and onDone(action) lets the page reload what changed.
// The API calls are in actions-api.js, the dialogs in actions-dialogs.js.
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { link } from './router.js';
import { ConfirmDialog, ErrorMessage, formatBytes, saveFile } from './ui.js';
import { JobProgress, jobFailure } from './actions-jobs.js';
import { AnonymizeDialog, LabelsDialog, ModifyDialog, ProtectDialog, SendDialog } from './actions-dialogs.js';
import * as api from './actions-api.js';

// Modify and anonymize work on patients, studies and series (an instance's are synchronous).
const TRANSFORMABLE = new Set(['Patient', 'Study', 'Series']);

export function Actions({ resources, onDone = () => {} }) {
  const [dialog, setDialog] = useState(null);
  const [busy, setBusy] = useState(null);
  const [jobs, setJobs] = useState([]);
  const [notice, setNotice] = useState(null);
  const [error, setError] = useState(null);
  const download = useDownload();
  const none = resources.length === 0;
  const count = api.countOf(resources);

  const tell = (text, href) => {
    setError(null);
    setNotice({ text, href });
  };
  const fail = (failure) => {
    setNotice(null);
    setError(failure);
  };
  // Follow job `id`; once it succeeds, success(job) gives the notice: {text, href} or text.
  const follow = (id, title, success, action) => {
    const entry = { id, title };
    entry.onEnd = (job) => {
      setJobs((current) => current.filter((j) => j !== entry));
      if (job.State !== 'Success') {
        fail(jobFailure(job));
        return;
      }
      const told = success(job);
      if (told) tell(told.text || told, told.href);
      if (action) onDone(action);
    };
    setJobs((current) => [...current, entry]);
  };
  // Run `work` behind the button named `label`, showing its failure.
  const run = async (label, work) => {
    setBusy(label);
    setNotice(null);
    setError(null);
    try {
      await work();
    } catch (failure) {
      fail(failure);
    } finally {
      setBusy(null);
    }
  };
  // A dialog's submit: its failure stays in the dialog, its success closes it.
  const submitted = (work) => async (...args) => {
    await work(...args);
    setDialog(null);
  };

  const archive = (media) => run(media ? 'media' : 'zip', async () => {
    const name = api.archiveName(resources);
    const made = await api.createArchive(resources, media);
    if (!made.job) return download.offer(made.blob || made.url, name);
    return follow(made.job, `Building ${name}`, (job) => {
      api.jobArchive(job.ID).then((ready) => download.offer(ready.blob || ready.url, name), fail);
    });
  });

  const dialogs = {
    send: html`<${SendDialog} resources=${resources} onCancel=${() => setDialog(null)}
      onSubmit=${submitted(async (target) => {
        const id = await api.send(resources, target);
        follow(id, `Sending ${count} to ${target.name}`,
          (job) => `Sent ${job.Content.InstancesCount} instance${job.Content.InstancesCount === 1 ? '' : 's'} to ${target.name}`);
      })} />`,
    labels: html`<${LabelsDialog} resources=${resources} onCancel=${() => setDialog(null)}
      onSubmit=${submitted(async (label, add) => {
        await api.changeLabel(resources, label, add);
        tell(add ? `Added the label ${label} to ${count}` : `Removed the label ${label} from ${count}`);
        onDone('labels');
      })} />`,
    modify: html`<${ModifyDialog} resources=${resources} onCancel=${() => setDialog(null)}
      onSubmit=${submitted(async (options) => {
        const id = await api.transform(resources, 'modify', options);
        follow(id, `Modifying ${count}`, (job) => madeFrom(job, 'Modified', count), 'modify');
      })} />`,
    anonymize: html`<${AnonymizeDialog} resources=${resources} onCancel=${() => setDialog(null)}
      onSubmit=${submitted(async (options) => {
        const id = await api.transform(resources, 'anonymize', options);
        follow(id, `Anonymizing ${count}`, (job) => madeFrom(job, 'Anonymized', count), 'anonymize');
      })} />`,
    protect: html`<${ProtectDialog} resources=${resources} onCancel=${() => setDialog(null)}
      onSubmit=${submitted(async (ids, on) => {
        await api.setProtected(ids, on);
        tell(`${on ? 'Protected' : 'Unprotected'} ${ids.length} patient${ids.length === 1 ? '' : 's'}`);
        onDone('protect');
      })} />`,
    delete: html`<${ConfirmDialog} title="Delete for good?" confirmLabel=${`Delete ${count}`}
      onCancel=${() => setDialog(null)}
      onConfirm=${() => {
        setDialog(null);
        run('delete', async () => {
          await api.remove(resources);
          tell(`Deleted ${api.describe(resources)}`);
          onDone('delete');
        });
      }}>
      <p data-testid="delete-summary">Delete ${api.describe(resources)}? Their files are deleted too; this cannot be undone.</p>
    <//>`,
  };

  const button = (name, label, extra = {}) => html`<button type="button" data-testid=${`action-${name}`}
      class=${extra.className} disabled=${none || busy !== null || extra.disabled} aria-busy=${busy === name ? 'true' : undefined}
      onClick=${extra.onClick || (() => setDialog(name))}>${busy === name ? `${label}…` : label}</button>`;
  const transformable = resources.every((r) => TRANSFORMABLE.has(r.Level));
  const patientsOnly = resources.every((r) => r.Level === 'Patient');
  return html`<div class="actions" data-testid="actions">
    <div class="actions-bar" role="toolbar" aria-label=${`Actions on ${none ? 'the selection' : count}`}>
      <span class="actions-count muted">${none ? 'Nothing selected' : count}</span>
      ${button('zip', 'Download ZIP', { onClick: () => archive(false) })}
      ${button('media', 'DICOMDIR', { onClick: () => archive(true) })}
      ${button('send', 'Send…')}
      ${button('labels', 'Labels…')}
      ${button('modify', 'Modify…', { disabled: !transformable })}
      ${button('anonymize', 'Anonymize…', { disabled: !transformable })}
      ${button('protect', patientsOnly ? 'Protect…' : 'Protect patient…')}
      ${button('delete', 'Delete…', { className: 'danger' })}
    </div>
    ${jobs.map((job) => html`<${JobProgress} key=${job.id} id=${job.id} title=${job.title} onEnd=${job.onEnd} />`)}
    ${download.view}
    ${notice && html`<div class="notice" role="status" data-testid="actions-notice">
      ${notice.text}${notice.href && html` <a href=${notice.href}>Open it</a>`}
    </div>`}
    <div data-testid="actions-error"><${ErrorMessage} error=${error} onDismiss=${() => setError(null)} /></div>
    ${dialog && dialogs[dialog]}
  </div>`;
}

// The notice of a modify or anonymize job: what it made, with a link to the new study.
function madeFrom(job, verb, count) {
  const content = job.Content || {};
  const made = `${verb} ${count}: ${content.InstancesCount} instance${content.InstancesCount === 1 ? '' : 's'} written`;
  return { text: made, href: content.Type === 'Study' && content.ID ? link('study', content.ID) : null };
}

// The archive ready to save: a link to a blob (saved at once too) or to the API's URL.
function useDownload() {
  const [ready, setReady] = useState(null);
  useEffect(() => () => ready && ready.blob && URL.revokeObjectURL(ready.href), [ready]);
  const offer = (blobOrUrl, name) => {
    const blob = typeof blobOrUrl === 'string' ? null : blobOrUrl;
    const href = blob ? URL.createObjectURL(blob) : blobOrUrl;
    setReady({ href, name, blob });
    saveFile(blobOrUrl, name);
  };
  const view = ready && html`<div class="notice actions-download" role="status">
    ${ready.blob ? `Archive ready (${formatBytes(ready.blob.size)}): ` : 'Archive ready, served by the storage: '}
    <a href=${ready.href} download=${ready.name} data-testid="download-link">Save ${ready.name}</a>
  </div>`;
  return { offer, view };
}
