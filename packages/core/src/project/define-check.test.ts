/** Checks declared in TypeScript with `defineCheck` load exactly like the same checks in YAML. */
import { afterAll, describe, expect, test } from 'vitest';
import { isWeirError } from '../errors/weir-error.js';
import { loadProject } from './load-project.js';
import { removeTempProject, writeTempProject } from './temp-project.js';

const roots: string[] = [];
afterAll(async () => Promise.all(roots.map((root) => removeTempProject(root))));

const asset = (checks: string) => `
import { defineAsset, defineCheck } from 'weir';
export const payments = defineAsset({
  columns: { payment_id: 'INTEGER', amount: 'DOUBLE' },
  checks: [${checks}],
  run: () => [{ payment_id: 1, amount: 5 }],
});
`;

describe('defineCheck', () => {
  test('gives the same checks as the YAML form', async () => {
    const root = await writeTempProject({
      'weir.yaml': 'name: shop\n',
      'models/payments.ts': asset("defineCheck('not_null', 'payment_id'), defineCheck('between', { column: 'amount', min: 0, mostly: 0.99 }), defineCheck('spc', 'row_count')"),
    });
    roots.push(root);
    const project = await loadProject(root, { env: {} });
    // TypeScript checks point at the definition's export line.
    const at = { file: 'models/payments.ts', line: 3 };
    expect(project.assets.get('payments')?.checks).toEqual([
      { type: 'not_null', column: 'payment_id', name: 'not_null_payment_id', severity: 'error', declaredAt: at },
      { type: 'between', column: 'amount', min: 0, name: 'between_amount', severity: 'error', declaredAt: at, tolerance: { fraction: expect.closeTo(0.01, 9) as number } },
      { type: 'spc', metric: 'row_count', name: 'spc_row_count', severity: 'error', declaredAt: at },
    ]);
  });

  test('a wrong threshold is a load error naming the file', async () => {
    const root = await writeTempProject({
      'weir.yaml': 'name: shop\n',
      // A cast defeats the types, as JavaScript callers can: the loader still refuses it.
      'models/payments.ts': asset("defineCheck('between', { column: 'amount', min: 'zero' as unknown as number })"),
    });
    roots.push(root);
    const error = await loadProject(root, { env: {} }).catch((caught: unknown) => caught);
    expect(isWeirError(error) && error.describe()).toMatch(/^models\/payments\.ts:\d+.*expected a number/s);
  });
});
