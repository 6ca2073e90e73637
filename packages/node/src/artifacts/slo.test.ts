import { describe, expect, it } from 'vitest';
import type { Catalog } from '../catalog.js';
import { buildSloRules, errorRatioRecord, SLO_WINDOWS, type SloSpec } from './slo.js';

const catalog = [
  { name: 'orders.duration', kind: 'histogram', unit: 's', description: 'Orders.', attributes: [{ key: 'order.kind' }, { key: 'order.outcome', values: ['ok', 'failed'] }] },
] as const satisfies Catalog;

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
});
