/**
 * Wide numbers at the adapter boundary. Engines return 64-bit integers and decimals exactly (as
 * bigint or text); Weir hands numbers to people and to JSON, so each becomes a JS number when that
 * number means exactly the same value, and a string otherwise: never a silently rounded number.
 */

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * An integer as a number when it is a safe integer, else its decimal text.
 *
 * @example
 * ```ts
 * plainInteger(42n); // 42
 * plainInteger(9007199254740993n); // '9007199254740993'
 * ```
 */
export function plainInteger(value: bigint): number | string {
  return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value.toString();
}

// A decimal of at most 15 significant digits survives text -> double -> shortest text unchanged.
const MAX_EXACT_DIGITS = 15;
const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/**
 * A decimal written as text (`"-12.50"`) as a number when at most 15 significant digits make it
 * up, else the text unchanged. `NaN` and infinities stay text, since JSON has no place for them.
 *
 * @example
 * ```ts
 * plainDecimal('1.50'); // 1.5
 * plainDecimal('12345678901234567890.123'); // '12345678901234567890.123'
 * ```
 */
export function plainDecimal(text: string): number | string {
  const match = DECIMAL_TEXT.exec(text);
  if (!match) return text;
  const digits = `${match[2] ?? ''}${(match[3] ?? '').replace(/0+$/, '')}`.replace(/^0+/, '');
  return digits.length <= MAX_EXACT_DIGITS ? Number(text) : text;
}
