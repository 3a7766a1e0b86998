/**
 * "This asset changed" inside the page (a rollback moved its live version): the part that changed
 * it announces it, and the asset page counts the announcements to load the asset again.
 */
import { useEffect, useState } from 'react';

const EVENT = 'weir:asset-changed';

/**
 * Tells the page that `asset` changed.
 *
 * @example
 * ```ts
 * await assetDataApi.rollback('revenue', version);
 * announceAssetChange('revenue');
 * ```
 */
export function announceAssetChange(asset: string): void {
  window.dispatchEvent(new CustomEvent<string>(EVENT, { detail: asset }));
}

/**
 * How many times `asset` changed since the component mounted: a key to load again on.
 *
 * @example
 * ```tsx
 * const asset = useApi(() => api.asset(name), name, useAssetChanges(name));
 * ```
 */
export function useAssetChanges(asset: string): number {
  const [changes, setChanges] = useState(0);
  useEffect(() => {
    const changed = (event: Event) => {
      if ((event as CustomEvent<string>).detail === asset) setChanges((count) => count + 1);
    };
    window.addEventListener(EVENT, changed);
    return () => window.removeEventListener(EVENT, changed);
  }, [asset]);
  return changes;
}
