// The study page (#/study/<id>?series=<id>&instance=<id>): the patient's and the study's main
// tags, labels and protection, the series with a thumbnail each, the instances of the series
// picked and the tags of the instance picked; the selection actions for the study and for the
// series. What is picked lives in the hash, so the back button and deep links work.
// API calls: GET /studies/{id}, /studies/{id}/series?expand and /patients/{id}/protected, one
// preview per series; /series/{id}/instances and /instances/{id}/tags?simplify when picked.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { apiUrl, del, get, put } from '../api.js';
import { authorization } from '../auth.js';
import { link, navigate } from '../router.js';
import { ErrorMessage, formatDate, formatName, useLoad } from '../ui.js';
import { Actions } from '../actions.js';
import { LABEL_PATTERN, isProtected, setProtected } from '../actions-api.js';

export function StudyPage({ args, query }) {
  const [id] = args;
  const seriesId = query.get('series');
  const instanceId = query.get('instance');
  const [deleted, setDeleted] = useState(false);
  const study = useLoad(() => loadStudy(id), [id]);
  const series = useLoad(() => get(`/studies/${id}/series`, { query: { expand: '' } }), [id]);
  if (deleted) {
    return html`<div class="notice" role="status" data-testid="study-deleted">
      The study was deleted. <a href=${link('studies')}>Back to the study list</a>
    </div>`;
  }
  if (study.error) return html`<${Breadcrumb} /><${ErrorMessage} error=${study.error} />`;
  if (!study.data) return html`<p class="loading">Loading the study…</p>`;
  const { main, patient } = study.data;
  const label = studyLabel(main);
  const picked = (series.data || []).find((s) => s.ID === seriesId);
  const onDone = (action) => (action === 'delete' ? setDeleted(true) : study.reload());
  return html`<div class="study-page" data-testid="study-page">
    <${Breadcrumb} current=${formatName(patient.PatientName) || patient.PatientID} />
    <div class="study-title">
      <h1>${formatName(patient.PatientName) || 'Unnamed patient'} <span class="muted">${main.MainDicomTags.StudyDescription || ''}</span></h1>
      <a class="button primary" data-testid="viewer-link" target="_blank" rel="noopener"
        href=${apiUrl(`/ohif/viewer?StudyInstanceUIDs=${encodeURIComponent(main.MainDicomTags.StudyInstanceUID)}`)}>Open in viewer</a>
    </div>
    <${Summary} study=${study.data} onChange=${study.reload} />
    <${Actions} resources=${[{ Level: 'Study', ID: id, Label: label }]} onDone=${onDone} />
    <h2>Series ${series.data ? html`<span class="muted">(${series.data.length})</span>` : ''}</h2>
    <${ErrorMessage} error=${series.error} />
    ${series.loading && !series.data && html`<p class="loading">Loading the series…</p>`}
    ${series.data && html`<${SeriesGrid} studyId=${id} series=${series.data} picked=${seriesId} />`}
    ${picked && html`<${SeriesPanel} studyId=${id} series=${picked} instanceId=${instanceId} studyLabel=${label}
      onDone=${(action) => seriesChanged(action, id, [study, series])} />`}
  </div>`;
}

// After an action on a series: reload the study and its series (and after a delete, leave the
// series' panel).
function seriesChanged(action, studyId, loads) {
  if (action === 'delete') navigate('study', studyId);
  for (const load of loads) load.reload();
}

// The study's JSON (patient tags and labels included) and whether its patient is protected.
async function loadStudy(id) {
  const main = await get(`/studies/${id}`);
  return { main, patient: main.PatientMainDicomTags || {}, protect: await isProtected(main.ParentPatient) };
}

// "DOE^JOHN 2024-01-02 CT chest": how the actions name the study.
function studyLabel(main) {
  const tags = main.MainDicomTags;
  return [main.PatientMainDicomTags.PatientName, formatDate(tags.StudyDate), tags.StudyDescription].filter(Boolean).join(' ');
}

function Breadcrumb({ current }) {
  return html`<nav class="study-breadcrumb" aria-label="Breadcrumb">
    <a href=${link('studies')}>Studies</a>${current && html` › <span aria-current="page">${current}</span>`}
  </nav>`;
}

const PATIENT_TAGS = [['PatientID', 'Patient ID'], ['PatientBirthDate', 'Birth date'], ['PatientSex', 'Sex']];
const STUDY_TAGS = [
  ['StudyDate', 'Study date'], ['StudyDescription', 'Description'], ['AccessionNumber', 'Accession'],
  ['ReferringPhysicianName', 'Referring physician'], ['StudyID', 'Study ID'], ['StudyInstanceUID', 'Study Instance UID'],
];

function Summary({ study, onChange }) {
  const { main, patient, protect } = study;
  const value = (tags, key) => {
    const raw = tags[key];
    if (key.endsWith('Date')) return formatDate(raw);
    return key.endsWith('Name') ? formatName(raw) : raw;
  };
  const rows = (tags, names) => names.filter(([key]) => tags[key]).map(
    ([key, title]) => html`<div><dt>${title}</dt><dd data-tag=${key}>${value(tags, key)}</dd></div>`,
  );
  return html`<section class="study-summary" data-testid="study-summary" aria-label="Patient and study">
    <dl>${rows(patient, PATIENT_TAGS)}</dl>
    <dl>${rows(main.MainDicomTags, STUDY_TAGS)}</dl>
    <div class="study-state">
      <${Labels} studyId=${main.ID} labels=${main.Labels || []} onChange=${onChange} />
      <${Protection} patientId=${main.ParentPatient} protect=${protect} onChange=${onChange} />
    </div>
  </section>`;
}

// The study's labels as chips, each removable, and a field to add one.
function Labels({ studyId, labels, onChange }) {
  const [draft, setDraft] = useState('');
  const [error, setError] = useState(null);
  const change = async (work) => {
    setError(null);
    try {
      await work();
      onChange();
    } catch (failure) {
      setError(failure);
    }
  };
  const add = (event) => {
    event.preventDefault();
    const value = draft.trim();
    if (!LABEL_PATTERN.test(value)) return setError(new Error('A label is 1 to 64 letters, digits, "_" or "-".'));
    return change(async () => {
      await put(`/studies/${studyId}/labels/${encodeURIComponent(value)}`);
      setDraft('');
    });
  };
  const remove = (label) => change(() => del(`/studies/${studyId}/labels/${encodeURIComponent(label)}`));
  return html`<div class="study-labels">
    <span class="study-state-title">Labels</span>
    <ul class="study-chips" aria-label="Labels">
      ${labels.length === 0 && html`<li class="muted">none</li>`}
      ${labels.map((label) => html`<li class="study-chip" data-testid="study-label">${label}
        <button type="button" aria-label=${`Remove the label ${label}`} onClick=${() => remove(label)}>×</button></li>`)}
    </ul>
    <form class="study-label-form" onSubmit=${add}>
      <input aria-label="New label" placeholder="New label" maxLength="64" value=${draft}
        data-testid="label-add-input" onInput=${(e) => setDraft(e.currentTarget.value)} />
      <button type="submit" data-testid="label-add">Add</button>
    </form>
    <${ErrorMessage} error=${error} onDismiss=${() => setError(null)} />
  </div>`;
}

function Protection({ patientId, protect, onChange }) {
  const [error, setError] = useState(null);
  const toggle = () => setProtected([patientId], !protect).then(onChange, setError);
  return html`<div class="study-protection">
    <span class="study-state-title">Patient</span>
    <span data-testid="protected-state">${protect ? 'Protected from recycling' : 'Not protected'}</span>
    <button type="button" class="link" onClick=${toggle}>${protect ? 'Unprotect' : 'Protect'}</button>
    <${ErrorMessage} error=${error} onDismiss=${() => setError(null)} />
  </div>`;
}

// Series by number, then description.
function bySeriesNumber(a, b) {
  const number = (s) => Number(s.MainDicomTags.SeriesNumber ?? Infinity);
  return number(a) - number(b) || (a.MainDicomTags.SeriesDescription || '').localeCompare(b.MainDicomTags.SeriesDescription || '');
}

function seriesTitle(series) {
  const tags = series.MainDicomTags;
  return tags.SeriesDescription || (tags.SeriesNumber ? `Series ${tags.SeriesNumber}` : 'Unnamed series');
}

function SeriesGrid({ studyId, series, picked }) {
  return html`<ul class="study-series" aria-label="Series">
    ${[...series].sort(bySeriesNumber).map((s) => {
      const middle = s.Instances[Math.floor(s.Instances.length / 2)];
      const count = s.Instances.length;
      return html`<li key=${s.ID}>
        <a href=${link('study', studyId, { series: s.ID })} class="study-series-card" data-testid="series-card"
          data-series-id=${s.ID} aria-current=${s.ID === picked ? 'true' : undefined}>
          <${Preview} key=${middle} instanceId=${middle} alt=${`Preview of ${seriesTitle(s)}`} />
          <span class="study-series-text">
            <strong>${seriesTitle(s)}</strong>
            <span class="muted">${s.MainDicomTags.Modality || '?'} · ${count} instance${count === 1 ? '' : 's'}</span>
          </span>
        </a>
      </li>`;
    })}
  </ul>`;
}

// An instance's preview. The browser loads it itself (lazily, cached) when no credentials are
// needed; with credentials (an <img> cannot send them) it is fetched and shown as a blob.
// src: null while fetching, false when there is no preview (not an image, or a failure).
function Preview({ instanceId, alt }) {
  const path = `/instances/${instanceId}/preview`;
  const [src, setSrc] = useState(authorization() ? null : apiUrl(path));
  useEffect(() => {
    if (!authorization()) return undefined;
    let url = null;
    get(path, { as: 'blob' }).then((blob) => setSrc((url = URL.createObjectURL(blob))), () => setSrc(false));
    return () => url && URL.revokeObjectURL(url);
  }, [path]);
  if (!src) return html`<span class="study-thumb study-no-thumb">${src === false ? 'No preview' : ''}</span>`;
  return html`<img class="study-thumb" src=${src} alt=${alt} loading="lazy" data-testid="series-thumbnail"
    onError=${() => setSrc(false)} />`;
}

function SeriesPanel({ studyId, series, instanceId, studyLabel: parentLabel, onDone }) {
  const instances = useLoad(() => get(`/series/${series.ID}/instances`), [series.ID]);
  const title = seriesTitle(series);
  const resource = { Level: 'Series', ID: series.ID, Label: `${parentLabel} ${title}` };
  const sorted = [...(instances.data || [])].sort(
    (a, b) => Number(a.MainDicomTags.InstanceNumber) - Number(b.MainDicomTags.InstanceNumber) || a.ID.localeCompare(b.ID),
  );
  return html`<section class="study-panel" data-testid="series-panel" aria-labelledby="series-title">
    <h2 id="series-title">Series: ${title}</h2>
    <${Actions} resources=${[resource]} onDone=${onDone} />
    <div class="study-panel-columns">
      <div class="study-instances">
        <h3>Instances</h3>
        <${ErrorMessage} error=${instances.error} />
        ${instances.loading && html`<p class="loading">Loading the instances…</p>`}
        <div class="study-scroll">
          <table>
            <thead><tr><th scope="col">Number</th><th scope="col">ID</th></tr></thead>
            <tbody>${sorted.map((i) => html`<tr key=${i.ID} class=${i.ID === instanceId ? 'selected' : ''} data-testid="instance-row">
              <td>${i.MainDicomTags.InstanceNumber || '—'}</td>
              <td><a href=${link('study', studyId, { series: series.ID, instance: i.ID })}
                aria-current=${i.ID === instanceId ? 'true' : undefined}><code>${i.ID}</code></a></td>
            </tr>`)}</tbody>
          </table>
        </div>
      </div>
      ${instanceId && html`<${InstanceTags} instanceId=${instanceId} />`}
    </div>
  </section>`;
}

function InstanceTags({ instanceId }) {
  const tags = useLoad(() => get(`/instances/${instanceId}/tags`, { query: { simplify: '' } }), [instanceId]);
  const [filter, setFilter] = useState('');
  const wanted = filter.trim().toLowerCase();
  const shown = Object.entries(tags.data || {}).filter(([name]) => name.toLowerCase().includes(wanted));
  return html`<div class="study-tags" data-testid="instance-tags">
    <div class="study-tags-head">
      <h3>Tags</h3>
      <input type="search" aria-label="Filter tags by name" placeholder="Filter tags" value=${filter}
        onInput=${(e) => setFilter(e.currentTarget.value)} />
    </div>
    <${ErrorMessage} error=${tags.error} />
    ${tags.loading && html`<p class="loading">Loading the tags…</p>`}
    ${tags.data && html`<div class="study-scroll"><${TagTable} entries=${shown} /></div>`}
  </div>`;
}

// name -> value rows; a sequence's items are nested tables.
function TagTable({ entries }) {
  return html`<table class="study-tag-table">
    <tbody>${entries.map(([name, value]) => html`<tr key=${name} data-testid="tag-row" data-tag=${name}>
      <th scope="row">${name}</th>
      <td><${TagValue} value=${value} /></td>
    </tr>`)}</tbody>
  </table>`;
}

function TagValue({ value }) {
  if (value === null) return html`<span class="muted">(binary or too long, not shown)</span>`;
  if (!Array.isArray(value)) return String(value);
  if (value.length === 0) return html`<span class="muted">(empty sequence)</span>`;
  return value.map((item, index) => html`<details open class="study-item">
    <summary>Item ${index + 1}</summary>
    <${TagTable} entries=${Object.entries(item)} />
  </details>`);
}
