// Hash routes (#/studies, #/study/<id>, ...): the server answers one index.html, so deep links
// need no route of their own on API Gateway or locally.
import { useEffect, useState } from 'preact/hooks';

export function currentRoute() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, search = ''] = hash.split('?');
  const [page = 'studies', ...rest] = path.split('/').map(decodeURIComponent);
  return { page: page || 'studies', args: rest, query: new URLSearchParams(search) };
}

export function useRoute() {
  const [route, setRoute] = useState(currentRoute());
  useEffect(() => {
    const changed = () => setRoute(currentRoute());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

// The hash of a page: link('study', id) -> "#/study/<id>"; query: an object of parameters.
export function link(page, ...args) {
  let query = null;
  if (args.length && typeof args[args.length - 1] === 'object') query = args.pop();
  const path = [page, ...args].map(encodeURIComponent).join('/');
  const search = query ? new URLSearchParams(Object.entries(query).filter(([, v]) => v !== '' && v != null)).toString() : '';
  return `#/${path}${search ? `?${search}` : ''}`;
}

export function navigate(page, ...args) {
  location.hash = link(page, ...args);
}
