import { describe, expect, it } from 'vitest';
import { parseDiscoveryArgs } from './gateway-discovery.mjs';
import { scalePrometheusConfig, topologyFromArgs } from './scale.mjs';
import { defaultPorts, startStack } from './runner.mjs';

describe('topologyFromArgs (scripts/stack.mjs up --topology)', () => {
  it('reads --topology scale, --topology=scale, and single without the flag', () => {
    expect(topologyFromArgs([])).toBe('single');
    expect(topologyFromArgs(['--no-alertmanager'])).toBe('single');
    expect(topologyFromArgs(['--topology', 'scale'])).toBe('scale');
    expect(topologyFromArgs(['--topology=single'])).toBe('single');
  });

  it('names the flag and its values when the value is wrong or missing', () => {
    expect(() => topologyFromArgs(['--topology', 'mesh'])).toThrow('stack: --topology must be one of single, scale (got "mesh")');
    expect(() => topologyFromArgs(['--topology'])).toThrow('stack: --topology must be one of single, scale (got nothing)');
  });
});

describe('startStack topology', () => {
  it('refuses an unknown topology before building anything', async () => {
    await expect(startStack({ stateDir: '/nonexistent', topology: 'mesh' as 'scale' })).rejects.toThrow('otelkit stack: unknown topology "mesh"; expected one of single, scale');
  });
});

describe('gateway discovery arguments', () => {
  const ok = ['--state-dir=/tmp/x', '--listen=127.0.0.1:23100', '--gateway=gateway-1=127.0.0.1:24317=http://127.0.0.1:23133/'];

  it('parses a good set', () => {
    expect(parseDiscoveryArgs([...ok, '--agent=agent-1'])).toMatchObject({ port: 23100, agents: ['agent-1'], intervalMs: 1000, failures: 2, gateways: [{ name: 'gateway-1', endpoint: '127.0.0.1:24317' }] });
  });

  it.each([
    [['--listen=127.0.0.1:1', '--gateway=g=127.0.0.1:1=http://x/'], '--state-dir is required'],
    [['--state-dir=/x', '--listen=nowhere', '--gateway=g=127.0.0.1:1=http://x/'], '--listen must be host:port (got "nowhere")'],
    [['--state-dir=/x', '--listen=127.0.0.1:1', '--gateway=g:1'], '--gateway must be name=host:port=healthUrl (got "g:1")'],
    [['--state-dir=/x', '--listen=127.0.0.1:1'], 'at least one --gateway is required'],
    [[...ok, '--interval-ms=5'], '--interval-ms must be an integer from 100 to 60000 (got 5)'],
    [[...ok, '--failures=0'], '--failures must be an integer from 1 to 100 (got 0)'],
  ])('refuses %j', (args, message) => {
    expect(() => parseDiscoveryArgs(args)).toThrow(`gateway-discovery: ${message}`);
  });
});

describe('scalePrometheusConfig', () => {
  it('drops the scrape of the single collector and scrapes every agent and gateway as job otelcol', () => {
    const ports = defaultPorts('scale');
    const cfg = scalePrometheusConfig({ scrape_configs: [{ job_name: 'otel-collector' }, { job_name: 'otelcol' }, { job_name: 'app' }] }, ports) as {
      scrape_configs: { job_name: string; static_configs?: { targets: string[]; labels: Record<string, string> }[] }[];
    };
    expect(cfg.scrape_configs.map((j) => j.job_name)).toEqual(['otelcol', 'app']);
    expect(cfg.scrape_configs[0]?.static_configs).toEqual([
      { targets: ['127.0.0.1:8888', '127.0.0.1:8898'], labels: { otelkit_collector_role: 'agent' } },
      { targets: ['127.0.0.1:28888', '127.0.0.1:28898'], labels: { otelkit_collector_role: 'gateway' } },
    ]);
  });
});
