import { describe, expect, it } from 'vitest';
import type { WeirEvent } from '@weir/core';
import { describeEvent, terminalProgress } from './run-progress.js';

const at = '2026-01-01T00:00:00.000Z';

describe('terminal progress', () => {
  it('shows each running asset with its rows so far, and drops it when it finishes', () => {
    let screen = '';
    const progress = terminalProgress({ write: (text: string) => ((screen += text), true), columns: 120 } as never);
    progress.onEvent({ type: 'step_started', at, runId: 'r', asset: 'orders', version: 'v1', attempt: 1 });
    progress.onRows('orders', 1234567);
    progress.onEvent({ type: 'check_evaluated', at, runId: 'r', asset: 'other', version: 'v', check: 'c', checkType: 'not_null', severity: 'error', passed: true, failingRows: 0, detail: '' });
    expect(screen).toContain('… orders');
    expect(screen).toContain('1,234,567 rows');
    screen = '';
    progress.onEvent({ type: 'step_succeeded', at, runId: 'r', asset: 'orders', version: 'v1', rows: 10, durationMs: 5, warnings: 0 });
    progress.stop();
    expect(screen).toContain('✓ orders  published v1  10 rows');
    expect(screen).not.toContain('… orders');
  });
});

describe('describeEvent', () => {
  it('names the file, line and column of a failed step, and says nothing for passing checks', () => {
    const failed: WeirEvent = { type: 'step_failed', at, runId: 'r', asset: 'seg', attempts: 1, error: { code: 'USER_CODE_FAILED', message: 'seg threw Error: x', file: 'models/seg.ts', line: 9, column: 11 } };
    expect(describeEvent(failed)).toBe('✗ seg  failed: models/seg.ts:9:11: seg threw Error: x');
    expect(describeEvent({ type: 'check_evaluated', at, runId: 'r', asset: 'a', version: 'v', check: 'c', checkType: 'unique', severity: 'error', passed: true, failingRows: 0, detail: '' })).toBeUndefined();
  });
});
