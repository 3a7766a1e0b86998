/** `--json` output: one JSON document on stdout, with bigints and dates made plain. */

/** Prints `value` as pretty JSON. */
export function printJson(value: unknown): void {
  process.stdout.write(
    `${JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner), 2)}\n`,
  );
}
