import { describe, expect, it } from 'vitest';
import type { Catalog } from '../catalog.js';
import { buildSloRules, errorRatioRecord, SLO_WINDOWS, sloDashboard, type LatencySloSpec, type SloSpec } from './slo.js';

const catalog = [
  { name: 'orders.duration', kind: 'histogram', unit: 's', description: 'Orders.', attributes: [{ key: 'order.kind' }, { key: 'order.outcome', values: ['ok', 'failed'] }] },
  { name: 'orders.size', kind: 'histogram', unit: 'By', description: 'Order sizes.', attributes: [] },
] as const satisfies Catalog;

const latency: LatencySloSpec = {
  name: 'orders-latency',
  description: 'Orders slower than 250 ms.',
  objective: 0.99,
  by: ['order.kind'],
  latency: { histogram: 'orders.duration', threshold: 0.25 },
};

const spec: SloSpec = {
  name: 'orders-availability',
  description: 'Orders that fail.',
  objective: 0.99,
  by: ['order.kind'],
  bad: 'rate({{orders.duration:count}}{order_outcome="failed"}[$window])',
  total: 'rate({{orders.duration:count}}[$window])',
};

describe('buildSloRules', () => {
  it('records the error ratio over every window and alerts on the workbook burn rates of the budget', () => {
    const [group] = buildSloRules([spec], { catalog }).groups;
    expect(group?.name).toBe('otelkit-slo-orders-availability');
    const records = group?.rules.filter((r) => 'record' in r) ?? [];
    expect(records.map((r) => ('record' in r ? r.record : ''))).toEqual(SLO_WINDOWS.map(errorRatioRecord));
    expect(records[0]?.expr).toContain('sum by (job, order_kind) (rate(orders_duration_seconds_count{order_outcome="failed"}[5m]))');
    const fast = group?.rules.find((r) => 'alert' in r && r.alert === 'OtelkitErrorBudgetBurnFast');
    expect(fast?.expr).toContain('otelkit:slo_error_ratio:rate1h{slo="orders-availability"} > 14.4 * 0.01');
    expect(fast?.expr).toContain('otelkit:slo_error_ratio:rate30m{slo="orders-availability"} > 6 * 0.01');
    const slow = group?.rules.find((r) => 'alert' in r && r.alert === 'OtelkitErrorBudgetBurnSlow');
    expect(slow?.expr).toContain('otelkit:slo_error_ratio:rate3d{slo="orders-availability"} > 1 * 0.01');
    expect(slow && 'labels' in slow ? slow.labels : {}).toEqual({ severity: 'warning', otelkit_pack: 'slo', slo: 'orders-availability' });
  });

  it('takes the objective given where the files are generated over the default', () => {
    const [group] = buildSloRules([spec], { catalog, objectives: { 'orders-availability': 0.9995 } }).groups;
    const fast = group?.rules.find((r) => 'alert' in r && r.alert === 'OtelkitErrorBudgetBurnFast');
    expect(fast?.expr).toContain('> 14.4 * 0.0005');
    expect(fast && 'annotations' in fast ? fast.annotations['description'] : '').toContain('The objective is 99.95%');
  });

  it('refuses an objective outside (0, 1), a name that is not kebab-case, a name twice, and an unknown metric', () => {
    expect(() => buildSloRules([spec], { catalog, objectives: { 'orders-availability': 99.9 } })).toThrow(/objective 99.9 must be between 0 and 1/);
    expect(() => buildSloRules([{ ...spec, name: 'Orders' }], { catalog })).toThrow(/must be kebab-case/);
    expect(() => buildSloRules([spec, spec], { catalog })).toThrow(/defined twice/);
    expect(() => buildSloRules([{ ...spec, total: 'rate({{payments.duration:count}}[$window])' }], { catalog })).toThrow(/payments\.duration/);
  });

  it('records a latency SLI as the share above a bucket bound, and refuses a bound the histogram does not have', () => {
    const [group] = buildSloRules([latency], { catalog }).groups;
    const record = group?.rules.find((r) => 'record' in r && r.record === errorRatioRecord('1h'));
    expect(record && 'expr' in record ? record.expr : '').toBe(
      '1 - (sum by (job, order_kind) (rate(orders_duration_seconds_bucket{le="0.25"}[1h]))\n/\nsum by (job, order_kind) (rate(orders_duration_seconds_count[1h])))',
    );
    // An integer bound is `1` in the text format and `1.0` in OpenMetrics and Prometheus 3: both match.
    const [whole] = buildSloRules([{ ...latency, latency: { histogram: 'orders.duration', threshold: 1 } }], { catalog }).groups;
    expect(whole?.rules[0] && 'expr' in whole.rules[0] ? whole.rules[0].expr : '').toContain('le=~"1(\\\\.0)?"');
    expect(() => buildSloRules([{ ...latency, latency: { histogram: 'orders.duration', threshold: 0.3 } }], { catalog })).toThrow(
      /threshold 0.3 s is not a bucket bound of orders.duration \(bounds: 0.001, 0.0025/,
    );
    expect(() => buildSloRules([{ ...latency, latency: { histogram: 'orders.size', threshold: 1 } }], { catalog })).toThrow(/must be a histogram in seconds, not a histogram in By/);
    expect(() => buildSloRules([{ ...latency, latency: { histogram: 'payments.duration', threshold: 1 } }], { catalog })).toThrow(/payments\.duration, which no catalog defines/);
  });

  it('puts every SLO on one dashboard: budget left over 30 days, SLI, and burn rate from the recorded ratios', () => {
    const board = sloDashboard([spec, latency], { catalog, objectives: { 'orders-latency': 0.995 } });
    expect(board.rows.map((r) => r.title)).toEqual(['orders-availability: Orders that fail.', 'orders-latency: Orders slower than 250 ms.']);
    const [budget, sli, burn] = board.rows[1]?.panels ?? [];
    expect(budget?.title).toBe('Error budget remaining (30d)');
    expect(budget?.targets?.[0]?.expr).toBe(
      '1 - (1 - (sum by (job, order_kind) (rate(orders_duration_seconds_bucket{job=~"$job", le="0.25"}[30d])) / sum by (job, order_kind) (rate(orders_duration_seconds_count{job=~"$job"}[30d])))) / 0.005',
    );
    expect(sli?.title).toBe('SLI over 30d (objective 99.5%)');
    expect(burn?.targets?.map((t) => t.expr)).toEqual([
      'otelkit:slo_error_ratio:rate1h{slo="orders-latency", job=~"$job"} / 0.005',
      'otelkit:slo_error_ratio:rate6h{slo="orders-latency", job=~"$job"} / 0.005',
    ]);
    expect(board.variableMetric).toBe('orders.duration');
    expect(() => sloDashboard([], { catalog })).toThrow(/at least one SLO/);
    expect(() => sloDashboard([latency], { catalog, objectives: { 'orders-latency': 1 } })).toThrow(/objective 1 must be between 0 and 1/);
  });
});
