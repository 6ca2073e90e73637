#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { resolveConfig } from '../config/index.js';
import { describeError } from '../errors.js';
import { VERSION } from '../version.js';
import { collectCatalog, formatCatalog } from './catalog.js';
import { formatDoctor, runDoctor } from './doctor.js';
import { exportOptionsFrom, exportProblems, formatExport, runExport } from './export.js';
import { formatProbe, runProbe } from './probe.js';

const HELP = `Usage: otelkit <command> [options]

Commands:
  doctor      Show the resolved configuration (secrets redacted), the packs found and what start() would do
              with them, whether the Prometheus pull port is free and whether the OTLP endpoints answer
              (TCP connect and a real empty export). Exit code 1 when an endpoint or a config value fails.
  doctor --probe
              Send a probe metric and span over OTLP and wait until Prometheus and Jaeger can query them.
  catalog     List the metrics of the installed packs (and the runtime metrics): OTel name, Prometheus name,
              kind, unit, attributes.
  export [--out <dir>] [--namespace <ns>] [--only dashboards|rules] [--slo <name=percent,…>] [--force]
              Write the Grafana dashboards and Prometheus alert rules of the installed packs to
              <dir>/grafana/dashboards/<pack>.json and <dir>/prometheus/rules/<pack>.rules.yml, one line per
              file. Refuses (exit 1, writes nothing) when a file exists with other content, unless --force.

Options:
  --json                 Machine-readable output.
  --timeout <seconds>    Per-check timeout for doctor (default 3), probe wait for --probe (default 60).
  --prometheus <url>     Prometheus base URL for --probe (default http://localhost:9090).
  --jaeger <url>         Jaeger query base URL for --probe (default http://localhost:16686).
  --out <dir>            Target directory for export (default ./otelkit-artifacts).
  --namespace <ns>       Metric namespace the exported queries use (default OTELKIT_METRIC_NAMESPACE, else none;
                         --namespace '' for none).
  --only <what>          Export only dashboards or only rules.
  --slo <name=percent,…> SLO objectives for the exported SLO rules, by pack or SLO name (default: each SLI's own,
                         e.g. commands=99.9,http=99.5).
  --force                Let export overwrite files that differ.
  -h, --help             Show this help.
  -v, --version          Show the version.

Configuration comes from the same places as for the app: OTEL_* / OTELKIT_* env, OTEL_CONFIG_FILE and the
package.json of the current directory.`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        probe: { type: 'boolean', default: false },
        timeout: { type: 'string' },
        prometheus: { type: 'string', default: 'http://localhost:9090' },
        jaeger: { type: 'string', default: 'http://localhost:16686' },
        out: { type: 'string' },
        namespace: { type: 'string' },
        only: { type: 'string' },
        force: { type: 'boolean' },
        slo: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (error) {
    process.stderr.write(`otelkit: ${describeError(error)}\n\n${HELP}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = positionals[0];
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(`${HELP}\n`);
    return command === undefined && !values.help ? 2 : 0;
  }
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeout !== undefined && !(timeout > 0)) {
    process.stderr.write(`otelkit: --timeout must be a positive number of seconds, got ${JSON.stringify(values.timeout)}\n`);
    return 2;
  }
  if (command !== 'export') {
    const exportOnly = (['out', 'namespace', 'only', 'force', 'slo'] as const).filter((k) => values[k] !== undefined);
    if (exportOnly.length > 0) {
      process.stderr.write(`otelkit: --${exportOnly.join(', --')} only applies to otelkit export\n`);
      return 2;
    }
  }
  const print = (data: unknown, text: string): void => void process.stdout.write(`${values.json ? JSON.stringify(data, null, 2) : text}\n`);
  const config = resolveConfig({}, { entry: undefined });

  switch (command) {
    case 'doctor': {
      if (values.probe) {
        const report = await runProbe(config, { prometheusUrl: values.prometheus, jaegerUrl: values.jaeger, timeoutMillis: (timeout ?? 60) * 1000 });
        print(report, formatProbe(report));
        return report.ok ? 0 : 1;
      }
      const report = await runDoctor(config, (timeout ?? 3) * 1000);
      print(report, formatDoctor(report));
      return report.ok ? 0 : 1;
    }
    case 'catalog': {
      const catalog = await collectCatalog(config);
      print(catalog, formatCatalog(catalog));
      return catalog.errors.length === 0 ? 0 : 1;
    }
    case 'export': {
      const options = exportOptionsFrom(values, positionals, config);
      if ('error' in options) {
        process.stderr.write(`otelkit: ${options.error} (see otelkit --help)\n`);
        return 2;
      }
      const report = await runExport(config, options);
      for (const line of exportProblems(report)) process.stderr.write(`${line}\n`);
      const text = formatExport(report);
      if (values.json || text !== '') print(report, text);
      return report.ok ? 0 : 1;
    }
    default:
      process.stderr.write(`otelkit: unknown command ${JSON.stringify(command)}\n\n${HELP}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`otelkit: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
