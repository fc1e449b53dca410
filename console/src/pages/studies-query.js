// The study list's state as the hash holds it (#/studies?PatientName=smith&Page=2), and the
// /tools/find body that state asks the API for. The state lives in the hash so that Back,
// Forward and bookmarks give the same list; turning the user's words into Orthanc's query
// language (wildcards, date ranges, labels) happens here and nowhere else.

export const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;

// The search fields matched as text. 'contains': a plain term is searched as *term*;
// 'whole': identifiers and modalities, matched whole (still ignoring case), which the index
// answers without reading every study; a term with its own * or ? is sent as typed.
const TEXT_FIELDS = {
  PatientName: 'contains',
  PatientID: 'whole',
  AccessionNumber: 'whole',
  StudyDescription: 'contains',
  ModalitiesInStudy: 'whole',
};
// Every search parameter of the hash: the text fields, the date range (YYYY-MM-DD, as
// <input type=date> gives it) and the labels (comma-separated).
export const FILTERS = [...Object.keys(TEXT_FIELDS), 'StudyDateFrom', 'StudyDateTo', 'Labels'];

// The columns a click on the header sorts by (main tags, which OrderBy accepts).
export const SORTABLE = ['PatientName', 'PatientID', 'StudyDate', 'StudyDescription', 'AccessionNumber'];

// What the rows show, in one /tools/find: the counts and modalities are computed by the API.
const REQUESTED_TAGS = [
  'PatientName',
  'PatientID',
  'PatientBirthDate',
  'StudyDate',
  'StudyDescription',
  'AccessionNumber',
  'ModalitiesInStudy',
  'NumberOfStudyRelatedSeries',
  'NumberOfStudyRelatedInstances',
];

// The list's state from the hash's query (URLSearchParams): {filters, sort, direction, page,
// pageSize}; anything malformed falls back to the default.
export function listState(query) {
  const filters = {};
  for (const name of FILTERS) {
    const value = (query.get(name) || '').trim();
    if (value) filters[name] = value;
  }
  const sort = SORTABLE.includes(query.get('OrderBy')) ? query.get('OrderBy') : null;
  return {
    filters,
    sort,
    direction: sort && query.get('Direction') === 'DESC' ? 'DESC' : 'ASC',
    page: positive(query.get('Page'), 1, Infinity),
    pageSize: positive(query.get('PageSize'), DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
  };
}

function positive(text, fallback, max) {
  const value = Number(text);
  return Number.isInteger(value) && value >= 1 ? Math.min(value, max) : fallback;
}

// The hash query of a state (for link('studies', ...)): defaults are left out.
export function stateQuery({ filters, sort, direction, page, pageSize }) {
  return {
    ...filters,
    OrderBy: sort,
    Direction: sort && direction === 'DESC' ? 'DESC' : null,
    Page: page > 1 ? page : null,
    PageSize: pageSize !== DEFAULT_PAGE_SIZE ? pageSize : null,
  };
}

// The search part of the body, shared by /tools/find and /tools/count-resources.
export function searchBody(filters) {
  const query = {};
  for (const [name, match] of Object.entries(TEXT_FIELDS)) {
    if (filters[name]) query[name] = pattern(filters[name], match);
  }
  const { StudyDateFrom: from, StudyDateTo: to } = filters;
  if (from || to) query.StudyDate = `${dicomDate(from)}-${dicomDate(to)}`;
  const body = { Level: 'Study', Query: query, CaseSensitive: false };
  const labels = labelList(filters.Labels);
  if (labels.length) Object.assign(body, { Labels: labels, LabelsConstraint: 'All' });
  return body;
}

// One page of the list, one row more than the page holds: that row says a next page exists.
export function pageBody({ filters, sort, direction, page, pageSize }) {
  const body = {
    ...searchBody(filters),
    Expand: true,
    RequestedTags: REQUESTED_TAGS,
    Limit: pageSize + 1,
    Since: (page - 1) * pageSize,
  };
  if (sort) body.OrderBy = [{ Type: 'DicomTag', Key: sort, Direction: direction }];
  return body;
}

function pattern(term, match) {
  if (match === 'whole' || /[*?]/.test(term)) return term;
  return `*${term}*`;
}

// 2024-03-01 -> 20240301 (and nothing -> nothing: an open end of the range).
function dicomDate(value) {
  return (value || '').replaceAll('-', '');
}

export function labelList(text) {
  return (text || '')
    .split(',')
    .map((label) => label.trim())
    .filter(Boolean);
}
