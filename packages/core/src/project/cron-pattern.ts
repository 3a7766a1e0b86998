/**
 * Cron patterns and time zones as weir.yaml accepts them. One place builds croner's `Cron`, so
 * the loader that validates a schedule and the scheduler that computes its ticks read the pattern
 * with the same options.
 */
import { Cron } from 'croner';
import { closestName } from '../errors/closest-name.js';

/**
 * A paused croner `Cron` (it never starts a timer: Weir only asks it for instants).
 *
 * @throws Error from croner for a malformed pattern or an unknown time zone; use
 *   {@link cronProblem} first for a message meant for people.
 * @example
 * ```ts
 * compileCron('0 2 * * *', 'Europe/Berlin').nextRun(new Date('2026-03-28T12:00:00Z')); // 2026-03-29T01:00:00.000Z
 * ```
 */
export function compileCron(pattern: string, timezone: string): Cron {
  // Day-of-month and day-of-week are ORed as in classic cron (croner's default); stated here so
  // that a change of croner's default cannot move anyone's schedule.
  return new Cron(pattern, { timezone, paused: true, domAndDow: false });
}

/**
 * What is wrong with a pattern, or undefined when croner reads it and it fires at least once.
 * Weir accepts 5 fields (minute precision), 6 (with seconds first) and croner's nicknames
 * (`@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`); croner's 7th (year) field is refused
 * so that every pattern means what it means in classic cron.
 *
 * @example
 * ```ts
 * cronProblem('61 * * * *'); // 'invalid value for minute: 61'
 * cronProblem('0 2 * *'); // 'expected 5 or 6 fields (minute hour day month weekday, optionally seconds first), got 4'
 * ```
 */
export function cronProblem(pattern: string): string | undefined {
  const text = pattern.trim();
  if (!text.startsWith('@')) {
    const fields = text.split(/\s+/).length;
    if (fields < 5 || fields > 6) return `expected 5 or 6 fields (minute hour day month weekday, optionally seconds first), got ${fields}`;
  }
  let cron: Cron;
  try {
    cron = compileCron(text, 'UTC');
  } catch (error) {
    // croner's messages read "CronPattern: Invalid value for minute: 61".
    const message = error instanceof Error ? error.message : String(error);
    const plain = message.replace(/^Cron\w*:\s*/, '');
    return plain.charAt(0).toLowerCase() + plain.slice(1);
  }
  // Croner looks ahead a bounded number of years: a pattern with no instant there never fires.
  if (cron.nextRun(new Date(0)) === null) return 'it never fires (no date matches it)';
  return undefined;
}

/**
 * What is wrong with a time zone name, or undefined when the runtime knows it.
 *
 * @example
 * ```ts
 * timezoneProblem('Europe/Berln'); // { message: 'unknown time zone', hint: 'did you mean "Europe/Berlin"?' }
 * ```
 */
export function timezoneProblem(timezone: string): { message: string; hint: string } | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return undefined;
  } catch {
    const closest = closestName(timezone, Intl.supportedValuesOf('timeZone'));
    return {
      message: 'unknown time zone',
      hint: closest === undefined ? 'use an IANA name such as UTC, Europe/Berlin or America/New_York' : `did you mean "${closest}"?`,
    };
  }
}
