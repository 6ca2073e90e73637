import type { Catalog } from '../catalog.js';
import { prometheusLabel } from '../prometheus/naming.js';
import { expandPromQL } from './promql.js';
import type { PrometheusRule } from './rules.js';

// Service level objectives as Prometheus rules, the way the SRE workbook's chapter 5 ("Alerting on SLOs") builds
// them: one error-ratio recording rule per SLO and window, and multi-window, multi-burn-rate alerts over them — a
// page when the error budget burns 14.4× too fast over 1 h (confirmed over 5 m) or 6× over 6 h (30 m), a ticket at
// 3× over 1 d (2 h) or 1× over 3 d (6 h). A pack declares its SLIs next to its catalog (`slos` in definePack);
// objectives are a deployment's choice, given where the files are generated.

/** A ratio-of-events SLI: the share of bad events among all, by the labels each objective applies to. */
export interface SloSpec {
  /** kebab-case, unique across packs, e.g. `commands-availability`. */
  readonly name: string;
  readonly description: string;
  /** The default objective (a fraction: 0.999), used unless the generator is given another. */
  readonly objective: number;
  /** OTel attribute keys the objective applies to separately, e.g. `['command.type']`; `job` is always one. */
  readonly by: readonly string[];
  /** PromQL template (`{{otel.name:part}}` references) of the bad events' counter; `$window` is the range. */
  readonly bad: string;
  /** The same for all events. */
  readonly total: string;
}

/** The windows the error ratio is recorded over (the burn-rate alerts' long and short windows). */
export const SLO_WINDOWS: readonly string[] = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];

interface BurnRate {
  readonly long: string;
  readonly short: string;
  readonly factor: number;
}

/** The workbook's burn rates: paging on fast burns, a ticket on slow ones. */
export const BURN_RATES: { readonly page: readonly BurnRate[]; readonly ticket: readonly BurnRate[] } = {
  page: [
    { long: '1h', short: '5m', factor: 14.4 },
    { long: '6h', short: '30m', factor: 6 },
  ],
  ticket: [
    { long: '1d', short: '2h', factor: 3 },
    { long: '3d', short: '6h', factor: 1 },
  ],
};

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The burn-rate alerts are ordinary alerting rules. */
export type SloAlertRule = PrometheusRule;

export interface SloRuleFile {
  readonly groups: readonly { readonly name: string; readonly rules: readonly (RecordingRule | SloAlertRule)[] }[];
}

/** The recorded error ratio's name for `window`. */
export function errorRatioRecord(window: string): string {
  return `otelkit:slo_error_ratio:rate${window}`;
}

export interface BuildSloRulesOptions {
  /** Every metric the SLIs reference. */
  readonly catalog: Catalog;
  /** Objectives by SLO name (fractions), overriding each spec's default. */
  readonly objectives?: Readonly<Record<string, number>>;
  /** @default '' */
  readonly namespace?: string;
}

function percent(objective: number): string {
  return `${Number((objective * 100).toFixed(4))}%`;
}

/** One rule group per SLO: its error ratio over every window, and the page and ticket burn-rate alerts. */
export function buildSloRules(slos: readonly SloSpec[], options: BuildSloRulesOptions): SloRuleFile {
  const seen = new Set<string>();
  const groups = slos.map((slo) => {
    if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(slo.name)) throw new Error(`otelkit: SLO name ${slo.name} must be kebab-case`);
    if (seen.has(slo.name)) throw new Error(`otelkit: SLO ${slo.name} is defined twice`);
    seen.add(slo.name);
    const objective = options.objectives?.[slo.name] ?? slo.objective;
    if (!(objective > 0 && objective < 1)) throw new Error(`otelkit: SLO ${slo.name}: objective ${objective} must be between 0 and 1 (exclusive)`);
    const by = ['job', ...slo.by.map(prometheusLabel)].join(', ');
    const expand = (template: string, window: string): string =>
      expandPromQL(template.replaceAll('$window', window), { catalog: options.catalog, namespace: options.namespace ?? '' });
    const sel = `{slo="${slo.name}"}`;
    const recording: RecordingRule[] = SLO_WINDOWS.map((window) => ({
      record: errorRatioRecord(window),
      // `or … * 0`: no bad events is a ratio of 0, not an absent series.
      expr: `(sum by (${by}) (${expand(slo.bad, window)}) or sum by (${by}) (${expand(slo.total, window)}) * 0)\n/\nsum by (${by}) (${expand(slo.total, window)})`,
      labels: { slo: slo.name },
    }));
    const budget = 1 - objective;
    const burn = (rates: readonly BurnRate[]): string =>
      rates
        .map((r) => `(${errorRatioRecord(r.long)}${sel} > ${r.factor} * ${Number(budget.toFixed(6))}\nand ${errorRatioRecord(r.short)}${sel} > ${r.factor} * ${Number(budget.toFixed(6))})`)
        .join('\nor\n');
    const labelsText = slo.by.map((k) => `{{ $labels.${prometheusLabel(k)} }}`).join(' ');
    const alerts: SloAlertRule[] = [
      {
        alert: 'OtelkitErrorBudgetBurnFast',
        expr: burn(BURN_RATES.page),
        for: '2m',
        labels: { severity: 'critical', otelkit_pack: 'slo', slo: slo.name },
        annotations: {
          summary: `${slo.name} ${labelsText} burns its error budget fast ({{ $labels.job }}).`.replace('  ', ' '),
          description: `${slo.description} The objective is ${percent(objective)}; errors run at 14.4× (1 h) or 6× (6 h) the rate the budget allows, confirmed over the last 5 or 30 minutes: at this pace a 30-day budget is gone in about 2 to 5 days.`,
          runbook: 'Find what changed (a deploy, a dependency, load) and what fails: the pack dashboard shows errors by type/route, the traces of failed requests show where. Roll back or fix; the alert clears once the short window is back under the rate.',
        },
      },
      {
        alert: 'OtelkitErrorBudgetBurnSlow',
        expr: burn(BURN_RATES.ticket),
        for: '15m',
        labels: { severity: 'warning', otelkit_pack: 'slo', slo: slo.name },
        annotations: {
          summary: `${slo.name} ${labelsText} burns its error budget ({{ $labels.job }}).`.replace('  ', ' '),
          description: `${slo.description} The objective is ${percent(objective)}; over a day (or three) errors have run at 3× (1×) the rate the budget allows: it will not last the month.`,
          runbook: 'Not urgent, but not noise: look at the error breakdown on the pack dashboard over the last days, and plan the fix before the budget is spent.',
        },
      },
    ];
    return { name: `otelkit-slo-${slo.name}`, rules: [...recording, ...alerts] };
  });
  return { groups };
}
