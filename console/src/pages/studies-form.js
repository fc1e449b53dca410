// The study list's search form. A search writes the hash (studies.js reads it back) and the
// fields are set from the hash's state whenever it changes: the form holds no state of its
// own, so Back and Forward show the fields of the search they return to.
import { useEffect, useRef } from 'preact/hooks';
import { html } from '../html.js';
import { navigate } from '../router.js';
import { FILTERS, stateQuery } from './studies-query.js';

// Offered in the modality field; any other value can be typed.
const MODALITIES = ['CT', 'MR', 'US', 'CR', 'DX', 'MG', 'NM', 'PT', 'XA', 'RF', 'OT', 'SR', 'SEG'];

// [parameter, label, input attributes]
const FIELDS = [
  ['PatientName', 'Patient name', { type: 'search' }],
  ['PatientID', 'Patient ID', { type: 'search' }],
  ['AccessionNumber', 'Accession number', { type: 'search' }],
  ['StudyDescription', 'Description', { type: 'search' }],
  ['StudyDateFrom', 'Study date from', { type: 'date' }],
  ['StudyDateTo', 'Study date to', { type: 'date' }],
  ['ModalitiesInStudy', 'Modality', { type: 'search', list: 'studies-modalities', autocapitalize: 'characters' }],
  ['Labels', 'Labels (all of)', { type: 'search', placeholder: 'e.g. urgent, teaching' }],
];

// `state`: the list's current state (studies-query.js); a search keeps its sort and page size
// and starts again at the first page.
export function SearchForm({ state }) {
  const form = useRef(null);
  useEffect(() => {
    for (const name of FILTERS) form.current.elements[name].value = state.filters[name] || '';
  }, [JSON.stringify(state.filters)]);
  const search = (event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const filters = Object.fromEntries(FILTERS.map((name) => [name, (data.get(name) || '').trim()]));
    navigate('studies', stateQuery({ ...state, filters, page: 1 }));
  };
  const clear = () => navigate('studies', stateQuery({ ...state, filters: {}, page: 1 }));
  return html`<form ref=${form} class="studies-search" role="search" aria-label="Search studies" data-testid="search-form" onSubmit=${search}>
    ${FIELDS.map(
      ([name, label, attributes]) => html`<label>
        ${label}
        <input name=${name} ...${attributes} data-testid=${`search-${name}`} />
      </label>`,
    )}
    <datalist id="studies-modalities">${MODALITIES.map((m) => html`<option value=${m} />`)}</datalist>
    <div class="studies-search-buttons">
      <button type="submit" class="primary" data-testid="search-submit">Search</button>
      <button type="button" onClick=${clear} data-testid="search-clear">Clear</button>
    </div>
    <p class="muted studies-search-hint">
      Names and descriptions match any part, ignoring case; IDs, accession numbers and modalities
      match whole values unless you type * or ?.
    </p>
  </form>`;
}
