/**
 * Keeps database passwords out of messages. Connection strings reach error messages, logs and the
 * event log only through these functions.
 */

/**
 * Replaces the password of every connection URL (`scheme://user:password@host`) and of every
 * `password=...` keyword in `text` with `***`. Over-masks rather than under-masks: everything
 * up to the last `@` of a URL is treated as its user info.
 *
 * @example
 * ```ts
 * maskConnectionString('postgres://weir:s3cret@db:5432/state'); // 'postgres://weir:***@db:5432/state'
 * ```
 */
export function maskConnectionString(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)\S*@/gi, '$1***@')
    .replace(/(\bpassword\s*=\s*)('[^']*'|\S+)/gi, '$1***');
}

/**
 * Returns a function that masks `connectionString`'s password in any text: in URL form, as a
 * keyword, and wherever the password itself (raw or percent-decoded) appears, as a driver may
 * quote it on its own.
 *
 * @example
 * ```ts
 * const mask = secretMasker(process.env.WEIR_STATE_URL!);
 * console.error(mask(messageOf(error)));
 * ```
 */
export function secretMasker(connectionString: string): (text: string) => string {
  const secrets = new Set<string>();
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:(\S*)@/i.exec(connectionString);
  if (match?.[1]) {
    secrets.add(match[1]);
    try {
      secrets.add(decodeURIComponent(match[1]));
    } catch {
      // A malformed escape: the raw form is already masked.
    }
  }
  for (const keyword of connectionString.matchAll(/\bpassword\s*=\s*('([^']*)'|\S+)/gi)) {
    secrets.add(keyword[2] ?? keyword[1]!);
  }
  const ordered = [...secrets].filter((secret) => secret.length > 0).sort((a, b) => b.length - a.length);
  return (text) => {
    let masked = maskConnectionString(text);
    for (const secret of ordered) masked = masked.split(secret).join('***');
    return masked;
  };
}

/**
 * A connection string as it may appear in a message: masked when Weir can see where its password
 * is (a URL with user info, or `password=`), otherwise not shown at all, since an unparseable
 * string may hold a password anywhere.
 *
 * @example
 * ```ts
 * describeConnectionString('postgres://weir:s3cret@db/state'); // 'postgres://weir:***@db/state'
 * describeConnectionString('not a url s3cret'); // '(connection string not shown)'
 * ```
 */
export function describeConnectionString(connectionString: string): string {
  const url = /^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(connectionString.trim());
  const keywords = /^\s*([a-z_]+\s*=\s*('[^']*'|\S+)\s*)+$/i.test(connectionString);
  return url || keywords ? maskConnectionString(connectionString) : '(connection string not shown)';
}
