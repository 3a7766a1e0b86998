/**
 * How fresh the live version is: when it was published and how long ago, kept current while the
 * page stays open, and whether a rollback pinned it.
 */
import { useEffect, useState } from 'react';

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
 * The line.
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
      {pinned ? (
        <span className="pinned" title={`runs leave ${name} at this version until: weir unpin ${name}`}>
          {' '}
          · pinned by a rollback
        </span>
      ) : null}
    </p>
  );
}
