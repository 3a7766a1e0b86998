/**
 * The summary `weir run` prints at the end: counts, what was held back and why, and the warnings,
 * so the first screen after a run answers "is my data safe and what needs attention?".
 */
import type { StateStore } from '@weir/core';
import { formatDuration } from '../output/format-table.js';
import { errorPlace } from '../output/run-progress.js';

/** Writes the summary of `runId` from the recorded state. */
export async function printRunSummary(store: StateStore, runId: string, write: (text: string) => void): Promise<void> {
  const run = await store.run(runId);
  if (!run) return;
  const steps = await store.steps(runId);
  const checks = await store.checkResults({ runId });
  const failedChecks = checks.filter((check) => !check.passed);
  const elapsed = run.endedAt ? Date.parse(run.endedAt) - Date.parse(run.startedAt) : null;
  const count = (status: string): number => steps.filter((step) => step.status === status).length;
  const unchanged = steps.filter((step) => step.status === 'skipped' && step.skipReason === 'unchanged').length;
  const skipped = steps.filter((step) => step.status === 'skipped' && step.skipReason !== 'unchanged' && step.skipReason !== 'pinned').length;
  write(`\nRun ${run.runId} ${run.status} in ${formatDuration(elapsed)} (environment ${run.environment})\n`);
  write(
    `  published ${count('succeeded')} · unchanged ${unchanged} · blocked ${count('blocked')} · failed ${count('failed')} · skipped ${skipped} · cancelled ${count('cancelled')} · warnings ${failedChecks.filter((check) => check.severity === 'warn').length}\n`,
  );
  // Why the run as a whole ended the way it did (a time limit, a crash), when it says.
  if (run.detail !== null && run.status !== 'succeeded') write(`  ${run.detail}\n`);
  if (unchanged > 0 && unchanged === steps.length) write('  nothing changed: every asset is up to date, nothing was rebuilt\n');
  const blocked = steps.filter((step) => step.status === 'blocked');
  if (blocked.length > 0) {
    const live = new Map((await store.pointers(run.environment)).map((pointer) => [pointer.asset, pointer.version]));
    write('\n  Held back (new version not published):\n');
    for (const step of blocked) {
      const current = live.get(step.asset);
      write(`    ${step.asset}: ${current ? `version ${current} stays live` : 'no version of it has been published yet'}\n`);
      for (const check of failedChecks.filter((candidate) => candidate.asset === step.asset && candidate.severity === 'error')) {
        write(`      ${check.check} — ${check.detail}\n`);
      }
    }
  }
  const failed = steps.filter((step) => step.status === 'failed');
  if (failed.length > 0) {
    write('\n  Failed:\n');
    for (const step of failed) {
      write(`    ${step.asset}: ${step.error ? errorPlace(step.error) : ''}${step.error?.message ?? 'unknown error'}\n`);
    }
  }
  const skippedSteps = steps.filter((step) => step.status === 'skipped' && (step.skipReason === 'upstream_failed' || step.skipReason === 'upstream_blocked'));
  if (skippedSteps.length > 0) {
    write('\n  Skipped:\n');
    for (const step of skippedSteps) write(`    ${step.asset}: ${step.detail ?? step.skipReason}\n`);
  }
  const warnings = failedChecks.filter((check) => check.severity === 'warn');
  if (warnings.length > 0) {
    write('\n  Warnings:\n');
    for (const check of warnings) write(`    ${check.asset}: ${check.check} — ${check.detail}\n`);
  }
  if (run.status !== 'succeeded') write(`\n  details: weir runs show ${run.runId}${failed.length + skipped > 0 ? ` · re-run what did not finish: weir retry ${run.runId}` : ''}\n`);
}
