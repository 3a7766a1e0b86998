/**
 * The README's first experience: `weir init x --size small && cd x && weir run`. The demo plants
 * data problems on purpose: one mart is held back by a failing `error` check (exit 1) and the
 * staging checks raise warnings; the summary must name both.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTempDir, runWeirIn, show, summarySection, type RunDetailJson, type RunJson } from './weir-test-project.js';

describe('weir init + weir run (the demo)', () => {
  const temp = createTempDir();
  afterAll(() => temp.remove());

  it('builds the shop, holds back the mart with the planted duplicate, and names it and the warnings', async () => {
    const init = await runWeirIn(temp.dir, ['init', 'x', '--size', 'small']);
    expect(init.code, show(init)).toBe(0);
    expect(init.stdout).toContain('weir run');
    const projectDir = join(temp.dir, 'x');

    const run = await runWeirIn(projectDir, ['run']);
    expect(run.code, show(run)).toBe(1);
    expect(run.stderr).not.toMatch(/internal error/i);

    const [latest] = JSON.parse((await runWeirIn(projectDir, ['runs', '--json'])).stdout) as RunJson[];
    const detail = JSON.parse((await runWeirIn(projectDir, ['runs', 'show', latest!.runId, '--json'])).stdout) as RunDetailJson;
    expect(detail.status).toBe('failed');

    // The blocked mart: README names product_performance and its unique check.
    const blocked = detail.steps.filter((step) => step.status === 'blocked').map((step) => step.asset);
    expect(blocked).toEqual(['product_performance']);
    const heldBack = summarySection(run.stdout, 'Held back');
    expect(heldBack).toMatch(/product_performance: no version of it has been published yet\n\s+unique_product_id — /);

    // Every warning recorded for the run is named in the summary.
    const warnings = detail.checks.filter((check) => !check.passed && check.severity === 'warn');
    expect(warnings.length).toBeGreaterThan(0);
    expect(run.stdout).toContain(`warnings ${warnings.length}`);
    const warningBlock = summarySection(run.stdout, 'Warnings');
    for (const warning of warnings) expect(warningBlock).toContain(`${warning.asset}: ${warning.check}`);

    // Everything else was published: the other marts are readable.
    expect(detail.steps.filter((step) => step.status === 'failed')).toEqual([]);
    const revenue = await runWeirIn(projectDir, ['query', 'select count(*) as n from daily_revenue', '--format', 'json']);
    expect(revenue.code, show(revenue)).toBe(0);
    expect(Number((JSON.parse(revenue.stdout) as Array<{ n: number }>)[0]?.n)).toBeGreaterThan(0);
    // The held-back mart was never published on this first run.
    expect((await runWeirIn(projectDir, ['query', 'select * from product_performance'])).code).toBe(2);

    // The README's second step: nothing changed, nothing rebuilt. The blocked mart is checked again and stays blocked.
    const again = await runWeirIn(projectDir, ['run']);
    expect(again.code, show(again)).toBe(1);
    expect(again.stdout).toMatch(/published 0 /);
  });
});
