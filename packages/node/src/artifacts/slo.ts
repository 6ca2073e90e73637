import { SECONDS_BUCKETS, type Catalog } from '../catalog.js';
import { prometheusLabel } from '../prometheus/naming.js';
import { expandPromQL } from './promql.js';
import type { PrometheusRule } from './rules.js';
import type { DashboardSpec, PanelSpec } from './types.js';

// Service level objectives as Prometheus rules, the way the SRE workbook's chapter 5 ("Alerting on SLOs") builds
// them: one error-ratio recording rule per SLO and window, and multi-window, multi-burn-rate alerts over them — a
// page when the error budget burns 14.4× too fast over 1 h (confirmed over 5 m) or 6× over 6 h (30 m), a ticket at
// 3× over 1 d (2 h) or 1× over 3 d (6 h). A pack declares its SLIs next to its catalog (`slos` in definePack);
// objectives are a deployment's choice, given where the files are generated.

interface SloBase {
  /** kebab-case, unique across packs, e.g. `commands-availability`. */
  readonly name: string;
  readonly description: string;
  /** The default objective (a fraction: 0.999), used unless the generator is given another. */
  readonly objective: number;
  /** OTel attribute keys the objective applies to separately, e.g. `['command.type']`; `job` is always one. */
  readonly by: readonly string[];
}

/** A ratio-of-events SLI: the share of bad events among all, by the labels each objective applies to. */
export interface EventSloSpec extends SloBase {
  /** PromQL template (`{{otel.name:part}}` references) of the bad events' rate; `$window` is the range. */
  readonly bad: string;
  /** The same for all events. */
  readonly total: string;
}

/** A latency SLI: the share of a histogram's observations above a threshold, which must be one of its bucket bounds. */
export interface LatencySloSpec extends SloBase {
  readonly latency: {
    /** OTel name of a histogram in seconds, e.g. `command.duration`. */
    readonly histogram: string;
    /** Seconds; a bucket bound of the histogram, so the ratio is exact rather than interpolated. */
    readonly threshold: number;
  };
}

export type SloSpec = EventSloSpec | LatencySloSpec;

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
    const objective = sloObjective(slo, options);
    const sel = `{slo="${slo.name}"}`;
    const recording: RecordingRule[] = SLO_WINDOWS.map((window) => ({
      record: errorRatioRecord(window),
      expr: sloErrorRatio(slo, window, options),
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
          description: `${slo.description} The objective is ${percent(objective)}; bad events run at 14.4× (1 h) or 6× (6 h) the rate the budget allows, confirmed over the last 5 or 30 minutes: at this pace a 30-day budget is gone in about 2 to 5 days.`,
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
          description: `${slo.description} The objective is ${percent(objective)}; over a day (or three) bad events have run at 3× (1×) the rate the budget allows: it will not last the month.`,
          runbook: 'Not urgent, but not noise: look at the error breakdown on the pack dashboard over the last days, and plan the fix before the budget is spent.',
        },
      },
    ];
    return { name: `otelkit-slo-${slo.name}`, rules: [...recording, ...alerts] };
  });
  return { groups };
}

function sloObjective(slo: SloSpec, options: Pick<BuildSloRulesOptions, 'objectives'>): number {
  const objective = options.objectives?.[slo.name] ?? slo.objective;
  if (!(objective > 0 && objective < 1)) throw new Error(`otelkit: SLO ${slo.name}: objective ${objective} must be between 0 and 1 (exclusive)`);
  return objective;
}

/** `le` matcher for a bucket bound: an integer bound is written `1` by the text format and `1.0` by OpenMetrics and Prometheus 3. */
function leMatcher(bound: number): string {
  return Number.isInteger(bound) ? `le=~"${bound}(\\\\.0)?"` : `le="${bound}"`;
}

/**
 * PromQL of an SLO's error ratio (bad events / all events) over `window`, by `job` and the SLO's labels. Also what
 * the dashboard reads over 30 days, so the recorded ratio and the budget shown come from one expression.
 */
export function sloErrorRatio(slo: SloSpec, window: string, options: Pick<BuildSloRulesOptions, 'catalog' | 'namespace'> & { readonly matchers?: string }): string {
  const by = ['job', ...slo.by.map(prometheusLabel)].join(', ');
  const extra = options.matchers ?? '';
  const expand = (template: string): string =>
    expandPromQL(template.replaceAll('$window', window), { catalog: options.catalog, namespace: options.namespace ?? '', ...(extra === '' ? {} : { matchers: () => [extra] }) });
  if ('latency' in slo) {
    const { histogram, threshold } = slo.latency;
    const def = options.catalog.find((d) => d.name === histogram);
    if (def === undefined) throw new Error(`otelkit: SLO ${slo.name} references ${histogram}, which no catalog defines`);
    if (def.kind !== 'histogram' || def.unit !== 's') throw new Error(`otelkit: SLO ${slo.name}: ${histogram} must be a histogram in seconds, not a ${def.kind} in ${def.unit}`);
    const bounds = def.buckets ?? SECONDS_BUCKETS;
    if (!bounds.includes(threshold)) {
      throw new Error(`otelkit: SLO ${slo.name}: threshold ${threshold} s is not a bucket bound of ${histogram} (bounds: ${bounds.join(', ')})`);
    }
    // The fast share is exact at a bucket bound: 1 - fast/all is the share above the threshold.
    const fast = expand(`rate({{${histogram}:bucket}}{${leMatcher(threshold)}}[$window])`);
    const all = expand(`rate({{${histogram}:count}}[$window])`);
    return `1 - (sum by (${by}) (${fast})\n/\nsum by (${by}) (${all}))`;
  }
  // `or … * 0`: no bad events is a ratio of 0, not an absent series.
  return `(sum by (${by}) (${expand(slo.bad)}) or sum by (${by}) (${expand(slo.total)}) * 0)\n/\nsum by (${by}) (${expand(slo.total)})`;
}

/** The OTel metric an SLI counts its events from. */
function sloMetric(slo: SloSpec): string {
  if ('latency' in slo) return slo.latency.histogram;
  const name = /\{\{\s*([A-Za-z0-9_.]+)/.exec(slo.total)?.[1];
  if (name === undefined) throw new Error(`otelkit: SLO ${slo.name}: total ${JSON.stringify(slo.total)} references no catalog metric`);
  return name;
}

/** How far back the dashboard's error budget is counted. */
export const SLO_BUDGET_PERIOD = '30d';

/**
 * "otelkit / SLOs": per SLO, the error budget left over the last 30 days, the SLI, and the burn rate over the
 * alerts' windows (read from the recording rules), with each SLO's objective as generated into the rules.
 */
export function sloDashboard(slos: readonly SloSpec[], options: BuildSloRulesOptions): DashboardSpec {
  if (slos.length === 0) throw new Error('otelkit: an SLO dashboard needs at least one SLO');
  const rows = slos.map((slo) => {
    const objective = sloObjective(slo, options);
    const budget = Number((1 - objective).toFixed(6));
    const labels = ['job', ...slo.by.map(prometheusLabel)];
    const legend = labels.map((l) => `{{${l}}}`).join(' ');
    const ratio30d = sloErrorRatio(slo, SLO_BUDGET_PERIOD, { ...options, matchers: 'job=~"$job"' }).replaceAll('\n', ' ');
    const recorded = (window: string): string => `${errorRatioRecord(window)}{slo="${slo.name}", job=~"$job"}`;
    const panels: PanelSpec[] = [
      {
        title: `Error budget remaining (${SLO_BUDGET_PERIOD})`,
        description: `1 − (bad share over ${SLO_BUDGET_PERIOD}) / (1 − objective ${percent(objective)}). Below 0: the budget is spent.`,
        kind: 'stat',
        unit: 'percentunit',
        width: 8,
        targets: [{ expr: `1 - (${ratio30d}) / ${budget}`, legend }],
      },
      {
        title: `SLI over ${SLO_BUDGET_PERIOD} (objective ${percent(objective)})`,
        kind: 'stat',
        unit: 'percentunit',
        width: 8,
        targets: [{ expr: `1 - (${ratio30d})`, legend }],
      },
      {
        title: 'Burn rate (1 = spending the budget exactly over 30 days)',
        width: 8,
        min: 0,
        targets: ['1h', '6h'].map((w) => ({ expr: `${recorded(w)} / ${budget}`, legend: `${w} ${legend}` })),
      },
    ];
    return { title: `${slo.name}: ${slo.description}`, panels };
  });
  const first = slos[0] as SloSpec;
  return {
    id: 'slo',
    title: 'otelkit / SLOs',
    description: `Error budget remaining, SLI and burn rate of every SLO the installed packs declare, with the objectives the rules were generated with (slo.rules.yml).`,
    tags: ['slo'],
    variableMetric: sloMetric(first),
    rows,
  };
}
