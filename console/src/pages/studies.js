// The study list (#/studies, the console's home): search, sort, page, select, open.
//
// Each page is ONE POST /tools/find (Limit, Since, OrderBy, and RequestedTags for what the
// columns show, counts included), asking one row more than the page holds to know whether a
// next page exists. The total comes from /tools/count-resources, asked only when the first
// page is full and once per search (paging and sorting reuse it), after the rows are shown:
// counting reads every match, and the rows should not wait for it. The search, sort and page
// live in the hash (studies-query.js), the search form is studies-form.js.
import { useEffect, useState } from 'preact/hooks';
import { post } from '../api.js';
import { html } from '../html.js';
import { Actions } from '../actions.js';
import { link, navigate } from '../router.js';
import { ErrorMessage, formatDate, formatName, useLoad } from '../ui.js';
import { SearchForm } from './studies-form.js';
import { SORTABLE, listState, pageBody, searchBody, stateQuery } from './studies-query.js';

export function StudiesPage({ query }) {
  const state = listState(query);
  const searchKey = JSON.stringify(searchBody(state.filters));
  // Bumped when an action changed the archive: the page and its total are asked again.
  const [version, setVersion] = useState(0);
  const body = pageBody(state);
  const pageKey = `${JSON.stringify(body)}#${version}`;
  // The answer names the page it is for: while the next page loads, the last one stays shown.
  const result = useLoad(() => post('/tools/find', body).then((found) => ({ pageKey, found })), [pageKey]);
  const fresh = result.data !== null && result.data.pageKey === pageKey && !result.loading;
  const loading = result.loading || !(fresh || result.error);
  const found = result.data ? result.data.found : null;
  const rows = found ? found.slice(0, state.pageSize) : [];
  const more = Boolean(found && found.length > state.pageSize);
  const total = useTotal(state, searchKey, version, fresh && more);
  const known = found && !more ? (state.page - 1) * state.pageSize + rows.length : null;
  const [selected, setSelected] = useState(new Map()); // study ID -> its label for Actions
  useEffect(() => setSelected(new Map()), [searchKey, version]);

  const go = (changes) => navigate('studies', stateQuery({ ...state, ...changes }));
  return html`<h1>Studies</h1>
    <${SearchForm} state=${state} />
    <${Actions}
      resources=${[...selected].map(([ID, Label]) => ({ Level: 'Study', ID, Label }))}
      onDone=${() => setVersion((v) => v + 1)}
    />
    <div class="studies-summary">
      <${Summary} state=${state} shown=${rows.length} total=${known ?? total.count} loading=${loading} />
      ${selected.size > 0 &&
      html`<button type="button" class="link" data-testid="selection-clear" onClick=${() => setSelected(new Map())}>
        Clear selection
      </button>`}
    </div>
    ${result.error &&
    html`<div data-testid="studies-error">
      <${ErrorMessage} error=${result.error} />
      <button type="button" onClick=${() => setVersion((v) => v + 1)}>Try again</button>
    </div>`}
    ${total.error && html`<div data-testid="count-error"><${ErrorMessage} error=${total.error} /></div>`}
    ${found === null && loading && html`<p class="loading" role="status">Loading studies…</p>`}
    ${fresh && rows.length === 0 && html`<${Empty} state=${state} go=${go} />`}
    ${rows.length > 0 &&
    html`<${StudyTable} state=${state} rows=${rows} busy=${loading} go=${go} selected=${selected} setSelected=${setSelected} />`}
    ${(state.page > 1 || more) &&
    html`<${Pager} state=${state} more=${more} total=${known ?? total.count} go=${go} />`}`;
}

// The number of studies the search matches, when the first page cannot tell (it is full):
// one count per search and `version`, asked once `ready` (the page's rows are in). {count, error}
function useTotal(state, searchKey, version, ready) {
  const key = `${searchKey}#${version}`;
  const [total, setTotal] = useState({ key: null, count: null, error: null });
  useEffect(() => {
    if (!ready || total.key === key) return undefined;
    let current = true;
    post('/tools/count-resources', searchBody(state.filters)).then(
      (answer) => current && setTotal({ key, count: answer.Count, error: null }),
      (error) => current && setTotal({ key, count: null, error }),
    );
    return () => {
      current = false;
    };
  }, [key, ready]);
  return total.key === key ? total : { count: null, error: null };
}

// "Showing 51–100 of 1,234 studies" (or "of more than 100" while the total is unknown).
function Summary({ state, shown, total, loading }) {
  let text = '';
  if (loading) {
    text = 'Loading…';
  } else if (shown > 0) {
    const first = (state.page - 1) * state.pageSize + 1;
    const last = first + shown - 1;
    const of = total === null ? `more than ${last.toLocaleString()}` : total.toLocaleString();
    text = `Showing ${first.toLocaleString()}–${last.toLocaleString()} of ${of} ${total === 1 ? 'study' : 'studies'}`;
  }
  return html`<span role="status" data-testid="result-count">${text}</span>`;
}

function Empty({ state, go }) {
  if (state.page > 1) {
    return html`<p class="studies-empty" data-testid="studies-empty">
      This page is past the last study.
      <button type="button" class="link" onClick=${() => go({ page: 1 })}>Back to the first page</button>
    </p>`;
  }
  if (Object.keys(state.filters).length) {
    return html`<p class="studies-empty" data-testid="studies-empty">
      No study matches this search.
      <button type="button" class="link" onClick=${() => go({ filters: {}, page: 1 })}>Clear the search</button>
    </p>`;
  }
  return html`<p class="studies-empty" data-testid="studies-empty">
    No studies yet. <a href=${link('upload')}>Upload some</a> or send them from a modality.
  </p>`;
}

// [tag, header, class]: the tags in SORTABLE get a sorting button.
const COLUMNS = [
  ['PatientName', 'Patient', ''],
  ['PatientID', 'Patient ID', ''],
  ['PatientBirthDate', 'Birth date', 'hide-narrow'],
  ['StudyDate', 'Study date', ''],
  ['StudyDescription', 'Description', ''],
  ['AccessionNumber', 'Accession', ''],
  ['ModalitiesInStudy', 'Modalities', ''],
  ['NumberOfStudyRelatedSeries', 'Series', 'number'],
  ['NumberOfStudyRelatedInstances', 'Instances', 'number'],
];

function StudyTable({ state, rows, busy, go, selected, setSelected }) {
  const onPage = rows.filter((row) => selected.has(row.ID)).length;
  const selectAll = (event) => {
    const next = new Map(selected);
    for (const row of rows) {
      if (event.currentTarget.checked) next.set(row.ID, rowLabel(row));
      else next.delete(row.ID);
    }
    setSelected(next);
  };
  const toggle = (row) => {
    const next = new Map(selected);
    if (next.has(row.ID)) next.delete(row.ID);
    else next.set(row.ID, rowLabel(row));
    setSelected(next);
  };
  return html`<div class="studies-table-wrap">
    <table class=${busy ? 'studies-table studies-busy' : 'studies-table'} aria-busy=${busy} data-testid="studies-table">
      <thead>
        <tr>
          <th class="studies-check">
            <input
              type="checkbox"
              aria-label="Select all studies on this page"
              data-testid="select-all"
              checked=${onPage === rows.length}
              indeterminate=${onPage > 0 && onPage < rows.length}
              onChange=${selectAll}
            />
          </th>
          ${COLUMNS.map(([name, header, className]) => html`<${HeaderCell} name=${name} header=${header} className=${className} state=${state} go=${go} />`)}
          <th>Labels</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map((row) => html`<${StudyRow} key=${row.ID} row=${row} checked=${selected.has(row.ID)} onToggle=${() => toggle(row)} />`)}
      </tbody>
    </table>
  </div>`;
}

function HeaderCell({ name, header, className, state, go }) {
  if (!SORTABLE.includes(name)) return html`<th class=${className}>${header}</th>`;
  const sorted = state.sort === name;
  const next = sorted && state.direction === 'ASC' ? 'DESC' : 'ASC';
  const ariaSort = sorted ? (state.direction === 'ASC' ? 'ascending' : 'descending') : 'none';
  return html`<th class=${className} aria-sort=${ariaSort}>
    <button type="button" class="sort" data-testid=${`sort-${name}`} onClick=${() => go({ sort: name, direction: next, page: 1 })}>
      ${header}
      <span class="studies-sort-mark" aria-hidden="true">${sorted ? (state.direction === 'ASC' ? '▲' : '▼') : '↕'}</span>
    </button>
  </th>`;
}

// One study: a click anywhere but the checkbox opens it; the patient's name is its link (the
// keyboard's way in: Tab to it, Enter).
function StudyRow({ row, checked, onToggle }) {
  const tags = row.RequestedTags || {};
  const open = (event) => {
    if (!event.target.closest('a, input, button, label')) navigate('study', row.ID);
  };
  return html`<tr class=${checked ? 'selected' : ''} data-testid="study-row" data-study-id=${row.ID} onClick=${open}>
    <td class="studies-check">
      <input type="checkbox" checked=${checked} onChange=${onToggle} aria-label=${`Select ${rowLabel(row)}`} data-testid="study-select" />
    </td>
    <td class="studies-nowrap"><a href=${link('study', row.ID)} data-testid="study-link">${formatName(tags.PatientName) || 'Unnamed patient'}</a></td>
    <td>${tags.PatientID}</td>
    <td class="hide-narrow">${formatDate(tags.PatientBirthDate)}</td>
    <td class="studies-nowrap">${formatDate(tags.StudyDate)}</td>
    <td>${tags.StudyDescription}</td>
    <td>${tags.AccessionNumber}</td>
    <td>${(tags.ModalitiesInStudy || '').split('\\').join(', ')}</td>
    <td class="number">${tags.NumberOfStudyRelatedSeries}</td>
    <td class="number">${tags.NumberOfStudyRelatedInstances}</td>
    <td>${(row.Labels || []).map((label) => html`<span class="studies-label">${label}</span>`)}</td>
  </tr>`;
}

// How a study is named to the actions (a confirmation lists what goes).
function rowLabel(row) {
  const tags = row.RequestedTags || {};
  const what = [tags.StudyDescription, formatDate(tags.StudyDate)].filter(Boolean).join(', ');
  return `${formatName(tags.PatientName) || 'Unnamed patient'} – ${what || tags.AccessionNumber || row.ID}`;
}

function Pager({ state, more, total, go }) {
  const pages = total === null ? null : Math.max(1, Math.ceil(total / state.pageSize));
  const turn = (page) => {
    go({ page });
    scrollTo(0, 0);
  };
  return html`<nav class="studies-pager" aria-label="Pages of studies">
    <button type="button" disabled=${state.page <= 1} onClick=${() => turn(state.page - 1)} data-testid="page-previous">
      ← Previous
    </button>
    <span data-testid="page-number">Page ${state.page.toLocaleString()}${pages ? ` of ${pages.toLocaleString()}` : ''}</span>
    <button type="button" disabled=${!more} onClick=${() => turn(state.page + 1)} data-testid="page-next">Next →</button>
  </nav>`;
}
