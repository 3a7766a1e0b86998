/** The checks a catalog search query passes before it is searched (the server's `?q=`). */
import { WeirError } from '../errors/weir-error.js';

/** The longest query accepted, in characters: longer is not a search a person typed. */
export const MAX_CATALOG_QUERY = 200;

/**
 * The query, trimmed, or a `USAGE` error when it is missing, blank or longer than {@link MAX_CATALOG_QUERY}.
 *
 * @example
 * ```ts
 * catalogQuery('  email '); // 'email'
 * catalogQuery(''); // throws WeirError USAGE
 * ```
 */
export function catalogQuery(raw: string | undefined): string {
  const query = (raw ?? '').trim();
  if (query === '') throw new WeirError('USAGE', 'q must hold a search: words to find in asset names, columns, tags, owners and descriptions', { hint: 'e.g. ?q=email or ?q=tag:finance' });
  if (query.length > MAX_CATALOG_QUERY) throw new WeirError('USAGE', `q is ${query.length} characters long; a search may be at most ${MAX_CATALOG_QUERY}`);
  return query;
}
