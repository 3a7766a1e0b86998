/**
 * Several problems found in one load, reported together: fixing a project one error per run is
 * slow. A single problem is thrown as itself; several become one {@link ProjectProblems}.
 */
import { WeirError } from '../errors/weir-error.js';

/**
 * Several problems at once. `code` is the code of the first problem (problems are sorted by file
 * and line), so exit statuses stay meaningful; `problems` holds every one of them, and the
 * message lists each as `file:line:column: message`.
 */
export class ProjectProblems extends WeirError {
  readonly problems: readonly WeirError[];

  constructor(problems: readonly WeirError[]) {
    const first = problems[0];
    const lines = problems.map((problem) => `  ${problem.describe().replaceAll('\n', '\n  ')}`);
    super(first?.code ?? 'INTERNAL', `${problems.length} problems in the project:\n${lines.join('\n')}`);
    this.problems = problems;
  }
}

/**
 * Throws when there are problems: the problem itself when there is one, a {@link ProjectProblems}
 * when there are several.
 *
 * @example
 * ```ts
 * throwProblems([new WeirError('CONFIG_INVALID', 'bad', { location: { file: 'weir.yaml', line: 2 } })]);
 * ```
 */
export function throwProblems(problems: readonly WeirError[]): void {
  if (problems.length === 0) return;
  const sorted = [...problems].sort(compareLocations);
  if (sorted.length === 1) throw sorted[0];
  throw new ProjectProblems(sorted);
}

function compareLocations(left: WeirError, right: WeirError): number {
  const a = left.location;
  const b = right.location;
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}
