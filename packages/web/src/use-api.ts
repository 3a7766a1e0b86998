/** Loads an API resource for a component: the value, or the error to show, while it is loading. */
import { useEffect, useRef, useState } from 'react';

/**
 * Loads `load()` whenever `key` changes (showing nothing while it loads) or `refresh` changes
 * (keeping the value on screen while it loads again, so a page does not blink after an action or
 * at a polling tick). A failed refresh keeps the value it had beside the error: a server that
 * does not answer for a moment does not empty a page.
 */
export function useApi<T>(load: () => Promise<T>, key: string, refresh = 0): { value?: T; error?: string } {
  const [state, setState] = useState<{ value?: T; error?: string }>({});
  const loadedKey = useRef<string | undefined>(undefined);
  useEffect(() => {
    let live = true;
    if (loadedKey.current !== key) setState({});
    loadedKey.current = key;
    load().then(
      (value) => live && setState({ value }),
      (error: unknown) => live && setState((previous) => ({ ...(previous.value === undefined ? {} : { value: previous.value }), error: error instanceof Error ? error.message : String(error) })),
    );
    return () => {
      live = false;
    };
    // The key says when to load again; `load` is a new closure on every render.
  }, [key, refresh]);
  return state;
}
