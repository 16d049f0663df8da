import { DEFAULT_RESOLUTION_TARGETS, METRIC_NAMES, type Metric, type MetricName, type ResolutionTargets } from './metrics.js';

/** Which way each metric breaches: `above` its target (lower is better) or `below` it. */
export const BREACH_DIRECTION: Record<MetricName, 'above' | 'below'> = {
  tickets_total: 'above',
  tickets_resolved: 'below',
  backlog: 'above',
  avg_first_response_time: 'above',
  avg_resolution_time: 'above',
  p90_resolution_time: 'above',
  sla_compliance: 'below',
  reopen_rate: 'above',
  customer_satisfaction: 'below',
};

export const RESOLUTION_TARGET_KEYS = ['resolution_time_high', 'resolution_time_medium', 'resolution_time_low'] as const;
export const SLA_TARGET_KEYS: readonly string[] = [...METRIC_NAMES, ...RESOLUTION_TARGET_KEYS];

export type SlaTargets = Partial<Record<MetricName | (typeof RESOLUTION_TARGET_KEYS)[number], number>>;

export interface Breach {
  metric_name: MetricName;
  value: number;
  target: number;
  direction: 'above' | 'below';
}

export function resolutionTargets(targets: SlaTargets): ResolutionTargets {
  return {
    High: targets.resolution_time_high ?? DEFAULT_RESOLUTION_TARGETS.High,
    Medium: targets.resolution_time_medium ?? DEFAULT_RESOLUTION_TARGETS.Medium,
    Low: targets.resolution_time_low ?? DEFAULT_RESOLUTION_TARGETS.Low,
  };
}

/** Metrics that cross their target in their breach direction; metrics without data never breach. */
export function findBreaches(metrics: Metric[], targets: SlaTargets): Breach[] {
  const breaches: Breach[] = [];
  for (const m of metrics) {
    const target = targets[m.metric_name];
    if (target === undefined) continue;
    const direction = BREACH_DIRECTION[m.metric_name];
    if (direction === 'above' ? m.value > target : m.value < target) {
      breaches.push({ metric_name: m.metric_name, value: m.value, target, direction });
    }
  }
  return breaches;
}

/** Field errors for an `sla_targets` object: unknown keys (listing the known ones), bad values. */
export function slaTargetErrors(targets: unknown): { path: string; message: string }[] {
  if (targets === undefined) return [];
  if (typeof targets !== 'object' || targets === null || Array.isArray(targets)) {
    return [{ path: 'sla_targets', message: 'must be an object of metric name → target number' }];
  }
  const errors: { path: string; message: string }[] = [];
  for (const [key, value] of Object.entries(targets)) {
    if (!SLA_TARGET_KEYS.includes(key)) {
      errors.push({ path: `sla_targets.${key}`, message: `unknown target; known targets: ${SLA_TARGET_KEYS.join(', ')}` });
    } else if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      errors.push({ path: `sla_targets.${key}`, message: 'must be a finite number ≥ 0' });
    } else if ((key === 'sla_compliance' || key === 'reopen_rate') && value > 1) {
      errors.push({ path: `sla_targets.${key}`, message: 'is a fraction: must be between 0 and 1' });
    } else if (key === 'customer_satisfaction' && (value < 1 || value > 5)) {
      errors.push({ path: `sla_targets.${key}`, message: 'must be between 1 and 5' });
    }
  }
  return errors;
}
