/**
 * How fresh the live version is: when it was published and how long ago, kept current while the
 * page stays open, and whether a rollback pinned it (with a button to unpin).
 */
import { useEffect, useState } from 'react';
import { assetDataApi } from './api.js';
import { announceAssetChange } from './asset-changes.js';
import { useRoleGate } from './auth-session.js';

/** "4 min", "3 h 5 min", "2 d 4 h": an age for people, two units at most. */
function age(milliseconds: number): string {
  const minutes = Math.max(0, Math.floor(milliseconds / 60_000));
  if (minutes < 1) return 'less than a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** Now, moved on every half minute so an open page's ages stay true. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/**
 * The line. A pinned asset has an Unpin button for editors (disabled with the reason for a
 * viewer); once unpinned, the page loads the asset again and the next run may publish it.
 *
 * @example
 * ```tsx
 * <AssetFreshness publishedAt={detail.publishedAt} pinned={detail.pinned} name={detail.name} />
 * ```
 */
export function AssetFreshness({ name, publishedAt, pinned }: { name: string; publishedAt: string | null; pinned: boolean }) {
  const now = useNow();
  if (publishedAt === null) return <p data-testid="freshness">Freshness: never published in this environment.</p>;
  const published = new Date(publishedAt);
  return (
    <p data-testid="freshness">
      Freshness: published <time dateTime={publishedAt} title={publishedAt}>{published.toLocaleString()}</time>, <b data-testid="freshness-age">{age(now - published.getTime())}</b> ago
      {pinned ? <PinnedNote name={name} /> : null}
    </p>
  );
}

/** "pinned by a rollback" and the button that lets runs publish the asset again. */
function PinnedNote({ name }: { name: string }) {
  const gate = useRoleGate('editor');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const unpin = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await assetDataApi.unpin(name);
      announceAssetChange(name);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="pinned" data-testid="pinned">
      {' '}
      · pinned by a rollback: runs leave {name} at this version{' '}
      <button type="button" className="secondary" data-testid="unpin" disabled={busy || !gate.allowed} title={gate.reason ?? `let the next run publish ${name} again (weir unpin ${name})`} onClick={() => void unpin()}>
        Unpin
      </button>
      {error === undefined ? null : (
        <span className="error" role="alert" data-testid="unpin-error">
          {' '}
          Unpin refused: {error}
        </span>
      )}
    </span>
  );
}
