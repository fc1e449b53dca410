// A value that components can watch (useSignal re-renders them when it changes): the few
// pieces of state shared across pages (sign-in, notices).
import { useEffect, useState } from 'preact/hooks';

export function signal(initial) {
  let value = initial;
  const watchers = new Set();
  return {
    get: () => value,
    set(next) {
      value = next;
      for (const watcher of watchers) watcher(next);
    },
    watch(watcher) {
      watchers.add(watcher);
      return () => watchers.delete(watcher);
    },
  };
}

export function useSignal(shared) {
  const [value, setValue] = useState(shared.get());
  useEffect(() => shared.watch(setValue), [shared]);
  return value;
}
