/** Loads an API resource for a component: the value, or the error to show, while it is loading. */
import { useEffect, useState } from 'react';

export function useApi<T>(load: () => Promise<T>, key: string): { value?: T; error?: string } {
  const [state, setState] = useState<{ value?: T; error?: string }>({});
  useEffect(() => {
    let live = true;
    setState({});
    load().then(
      (value) => live && setState({ value }),
      (error: unknown) => live && setState({ error: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      live = false;
    };
    // The key says when to load again; `load` is a new closure on every render.
  }, [key]);
  return state;
}
