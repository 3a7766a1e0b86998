/** The lines a run prints once it is planned, the same whether it runs in this process or in `weir serve`. */
import type { Project, RunPlan } from '@weir/core';

/**
 * What a planned run says before its first step: how much it selected and will build, and which
 * source tables were left out for a missing environment variable.
 *
 * @example
 * ```ts
 * for (const line of runPlanLines(plan, runId, 'build', project.disabled)) progress.line(line);
 * ```
 */
export function runPlanLines(plan: RunPlan, runId: string, mode: 'build' | 'check' | 'replay' | undefined, disabled: Project['disabled']): string[] {
  if (mode === 'check') return [`check ${runId}: ${plan.steps.length} published asset(s) to check, environment ${plan.environment}`];
  const building = plan.steps.filter((step) => step.action === 'build' || step.action === 'reuse' || step.action === 'replay').length;
  return [
    `run ${runId}: ${plan.steps.length} asset(s) selected, ${building} to build or publish, environment ${plan.environment}`,
    ...(disabled ?? []).map((left) => `  left out: ${left.tables.join(', ')} (${left.file} requires ${left.missing.join(', ')}, which is not set)`),
  ];
}
