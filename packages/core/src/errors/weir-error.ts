/**
 * The one error root of Weir. Every error a user can meet carries a stable `code`; the CLI maps
 * codes to exit statuses, the server to HTTP statuses. Messages are written for people: they name
 * the file, line and what was expected whenever there is a file to name.
 */

/** Stable error codes. Grouped by who must act: the user's project, the data, or Weir itself. */
export type WeirErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_UNKNOWN_KEY'
  | 'YAML_MALFORMED'
  | 'SQL_SYNTAX'
  | 'SQL_EXECUTION'
  | 'ASSET_UNKNOWN'
  | 'COLUMN_UNKNOWN'
  | 'ASSET_DUPLICATE'
  | 'GRAPH_CYCLE'
  | 'SELECTION_INVALID'
  | 'USER_CODE_FAILED'
  | 'USER_CODE_TIMEOUT'
  | 'STEP_TIMEOUT'
  | 'RUN_CRASHED'
  | 'SOURCE_READ_FAILED'
  | 'SOURCE_UNAVAILABLE'
  | 'CHECK_FAILED'
  | 'PROJECT_LOCKED'
  | 'PROJECT_NOT_FOUND'
  | 'RUN_UNKNOWN'
  | 'VERSION_UNKNOWN'
  | 'FEEDBACK_UNKNOWN'
  | 'TRIGGER_UNKNOWN'
  | 'BACKFILL_UNKNOWN'
  | 'CANCELLED'
  | 'ENGINE_UNAVAILABLE'
  | 'STATE_UNAVAILABLE'
  | 'JOB_CLAIM_LOST'
  | 'WORKER_VERSION_MISMATCH'
  | 'SERVER_UNREACHABLE'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'USAGE'
  | 'INTERNAL';

/** Where in a user's file an error points. Lines and columns are 1-based. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

/** Options for {@link WeirError}. */
export interface WeirErrorOptions {
  location?: SourceLocation;
  hint?: string;
  cause?: unknown;
}

/**
 * The root of every error Weir raises on purpose.
 *
 * @example
 * ```ts
 * throw new WeirError('ASSET_UNKNOWN', 'unknown table "ordres"', {
 *   location: { file: 'models/marts/revenue.sql', line: 3 },
 *   hint: 'did you mean "orders"?',
 * });
 * ```
 */
export class WeirError extends Error {
  readonly code: WeirErrorCode;
  readonly location: SourceLocation | undefined;
  readonly hint: string | undefined;

  constructor(code: WeirErrorCode, message: string, options: WeirErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WeirError';
    this.code = code;
    this.location = options.location;
    this.hint = options.hint;
  }

  /** The message as a person reads it: `file:line:column: message (hint)`. */
  describe(): string {
    const where = this.location ? `${formatLocation(this.location)}: ` : '';
    const hint = this.hint ? `\n  hint: ${this.hint}` : '';
    return `${where}${this.message}${hint}`;
  }
}

/** Formats a location as `file:line:column`, leaving out the parts that are unknown. */
export function formatLocation(location: SourceLocation): string {
  let text = location.file;
  if (location.line !== undefined) text += `:${location.line}`;
  if (location.line !== undefined && location.column !== undefined) text += `:${location.column}`;
  return text;
}

/** True when `value` is a {@link WeirError}, also across module copies. */
export function isWeirError(value: unknown): value is WeirError {
  return value instanceof WeirError || (value instanceof Error && value.name === 'WeirError' && 'code' in value);
}

/** Returns the message of any thrown value, without assuming it is an Error. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
