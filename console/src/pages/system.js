// The system page (#/system): what this Cirrus is (GET /system), what it holds (GET
// /statistics), and whom it talks to: the Orthanc peers (GET /peers?expand) and the DICOM
// modalities (GET /modalities?expand), each with a connectivity test (the peer's
// /peers/{id}/system, the modality's C-ECHO). Four calls, side by side, each part showing its
// own failure.
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { get, post } from '../api.js';
import { ErrorMessage, formatBytes, useLoad } from '../ui.js';

// Where Cirrus's REST API is described: it answers Orthanc's (differences: docs/compatibility.md).
const API_REFERENCE = 'https://orthanc.uclouvain.be/api/';
const COUNTS = [
  ['CountPatients', 'Patients'],
  ['CountStudies', 'Studies'],
  ['CountSeries', 'Series'],
  ['CountInstances', 'Instances'],
];

export function SystemPage() {
  const system = useLoad(() => get('/system'), []);
  const statistics = useLoad(() => get('/statistics'), []);
  const peers = useLoad(() => get('/peers', { query: { expand: '' } }), []);
  const modalities = useLoad(() => get('/modalities', { query: { expand: '' } }), []);
  return html`<section class="system">
    <h1>System</h1>
    <${Part} title="This server" load=${system} view=${(data) => html`<${ServerFacts} system=${data} />`} />
    <${Part} title="Storage" load=${statistics} view=${(data) => html`<${Statistics} statistics=${data} />`}
      action=${html`<button type="button" onClick=${statistics.reload} disabled=${statistics.loading} data-testid="statistics-refresh">Refresh</button>`} />
    <${Part} title="Orthanc peers" load=${peers} view=${(data) => html`<${Peers} peers=${data} />`} />
    <${Part} title="DICOM modalities" load=${modalities} view=${(data) => html`<${Modalities} modalities=${data} />`} />
  </section>`;
}

// A titled part of the page: its data once loaded, else that it loads or why it failed.
function Part({ title, load, view, action }) {
  return html`<section class="system-part" aria-label=${title}>
    <div class="system-part-head"><h2>${title}</h2>${action}</div>
    <${ErrorMessage} error=${load.error} />
    ${load.data ? view(load.data) : !load.error && html`<p class="loading">Loading…</p>`}
  </section>`;
}

function ServerFacts({ system }) {
  const facts = [
    ['Name', system.Name, 'system-name'],
    ['Cirrus version', (system.Cirrus || {}).Version, 'system-version'],
    ['REST API', `Orthanc ${system.Version} (API version ${system.ApiVersion})`, 'system-api'],
    ['DICOM AET', system.DicomAet, 'system-aet'],
    ['DICOM port', system.DicomPort, 'system-port'],
  ];
  return html`<dl class="system-facts">
    ${facts.map(([term, value, testid]) => html`<div><dt>${term}</dt><dd data-testid=${testid}>${value}</dd></div>`)}
    <div><dt>API reference</dt><dd>
      <a href=${API_REFERENCE} target="_blank" rel="noopener noreferrer" data-testid="system-api-docs">Orthanc's REST API</a>
      <span class="muted"> (Cirrus answers it; its differences are listed in docs/compatibility.md)</span>
    </dd></div>
  </dl>`;
}

function Statistics({ statistics }) {
  const tiles = [
    ...COUNTS.map(([key, label]) => [label, statistics[key], Number(statistics[key]).toLocaleString('en-US'), key]),
    ['Stored size', statistics.TotalDiskSize, formatBytes(statistics.TotalDiskSize), 'TotalDiskSize'],
    ['Uncompressed size', statistics.TotalUncompressedSize, formatBytes(statistics.TotalUncompressedSize), 'TotalUncompressedSize'],
  ];
  return html`<dl class="system-stats">
    ${tiles.map(([label, value, shown, key]) => html`<div class="system-stat">
      <dt>${label}</dt>
      <dd data-testid=${`stat-${key}`} data-value=${value}>${shown}</dd>
    </div>`)}
  </dl>`;
}

function Peers({ peers }) {
  const names = Object.keys(peers).sort();
  if (!names.length) return html`<p class="muted" data-testid="peers-empty">No peers are configured (OrthancPeers).</p>`;
  return html`<div class="system-scroll"><table data-testid="peers-table">
    <thead><tr><th scope="col">Name</th><th scope="col">URL</th><th scope="col">User</th><th scope="col">Test</th></tr></thead>
    <tbody>${names.map((name) => html`<tr data-testid="peer-row" data-name=${name}>
      <td>${name}</td>
      <td class="system-wrap">${peers[name].Url}</td>
      <td>${peers[name].Username || html`<span class="muted">none</span>`}</td>
      <td><${Probe} subject=${`peer ${name}`} run=${() => peerSystem(name)} /></td>
    </tr>`)}</tbody>
  </table></div>`;
}

function Modalities({ modalities }) {
  const names = Object.keys(modalities).sort();
  if (!names.length) return html`<p class="muted" data-testid="modalities-empty">No modalities are configured (DicomModalities).</p>`;
  return html`<div class="system-scroll"><table data-testid="modalities-table">
    <thead><tr>
      <th scope="col">Name</th><th scope="col">AET</th><th scope="col">Host</th><th scope="col">Port</th>
      <th scope="col">Manufacturer</th><th scope="col">Test</th>
    </tr></thead>
    <tbody>${names.map((name) => {
      const modality = modalities[name];
      return html`<tr data-testid="modality-row" data-name=${name}>
        <td>${name}</td>
        <td>${modality.AET}</td>
        <td>${modality.Host}</td>
        <td>${modality.Port}${modality.UseDicomTls ? ' (TLS)' : ''}</td>
        <td>${modality.Manufacturer}</td>
        <td><${Probe} subject=${`modality ${name}`} run=${() => echo(name)} /></td>
      </tr>`;
    })}</tbody>
  </table></div>`;
}

// A connectivity test: a button, then what the remote answered (a sentence) or the failure.
function Probe({ subject, run }) {
  const [state, setState] = useState({ running: false, result: null, error: null });
  const test = async () => {
    setState({ running: true, result: null, error: null });
    try {
      setState({ running: false, result: await run(), error: null });
    } catch (error) {
      setState({ running: false, result: null, error });
    }
  };
  return html`<div class="system-probe">
    <button type="button" onClick=${test} disabled=${state.running} aria-label=${`Test ${subject}`} data-testid="probe">
      ${state.running ? 'Testing…' : 'Test'}
    </button>
    <div role="status" data-testid="probe-result" data-outcome=${state.error ? 'error' : state.result ? 'ok' : ''}>
      ${state.result && html`<span class="system-ok">${state.result}</span>`}
      <${ErrorMessage} error=${state.error} />
    </div>
  </div>`;
}

async function peerSystem(name) {
  const remote = await get(`/peers/${encodeURIComponent(name)}/system`);
  return `Reached ${remote.Name || 'the peer'}: Orthanc ${remote.Version}`;
}

async function echo(name) {
  const started = performance.now();
  await post(`/modalities/${encodeURIComponent(name)}/echo`, {});
  return `C-ECHO succeeded (${Math.round(performance.now() - started)} ms)`;
}
