import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Attributes } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { serializePrometheus } from './serialize.js';

// The strongest proof of naming parity: the exposition captured from the real collector (test/e2e/stack.test.ts
// writes test/fixtures/collector-exposition.txt) for a known OTLP request, against what this serializer produces
// for the same data.
const fixtures = new URL('../../../../test/fixtures/', import.meta.url);
const inputFile = fileURLToPath(new URL('collector-exposition.input.md', fixtures));
const capturedFile = fileURLToPath(new URL('collector-exposition.txt', fixtures));

type OtlpValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
type OtlpAttr = { key: string; value: OtlpValue };
type OtlpPoint = {
  attributes?: OtlpAttr[];
  startTimeUnixNano?: string;
  timeUnixNano: string;
  asInt?: string;
  asDouble?: number;
  count?: string;
  sum?: number;
  bucketCounts?: string[];
  explicitBounds?: number[];
};
type OtlpMetric = {
  name: string;
  description?: string;
  unit?: string;
  sum?: { aggregationTemporality: number; isMonotonic?: boolean; dataPoints: OtlpPoint[] };
  gauge?: { dataPoints: OtlpPoint[] };
  histogram?: { aggregationTemporality: number; dataPoints: OtlpPoint[] };
};
type OtlpRequest = {
  resourceMetrics: { resource: { attributes: OtlpAttr[] }; scopeMetrics: { scope: { name: string; version?: string; schemaUrl?: string }; metrics: OtlpMetric[] }[] }[];
};

function attributes(list: OtlpAttr[] = []): Attributes {
  const out: Attributes = {};
  for (const { key, value } of list) {
    out[key] = value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : value.doubleValue ?? value.boolValue);
  }
  return out;
}

const time = (nanos: string | undefined): [number, number] => {
  const n = BigInt(nanos ?? '0');
  return [Number(n / 1_000_000_000n), Number(n % 1_000_000_000n)];
};

/** The OTLP/JSON request as the SDK's in-memory ResourceMetrics (what the pull reader collects). */
function toResourceMetrics(request: OtlpRequest): ResourceMetrics[] {
  return request.resourceMetrics.map((rm) => ({
    resource: { attributes: attributes(rm.resource.attributes) } as ResourceMetrics['resource'],
    scopeMetrics: rm.scopeMetrics.map((sm) => ({
      scope: sm.scope,
      metrics: sm.metrics.map((m): MetricData => {
        const descriptor = { name: m.name, description: m.description ?? '', unit: m.unit ?? '', valueType: 1 };
        const point = (p: OtlpPoint) => ({ attributes: attributes(p.attributes), startTime: time(p.startTimeUnixNano), endTime: time(p.timeUnixNano) });
        const num = (p: OtlpPoint) => ({ ...point(p), value: p.asDouble ?? Number(p.asInt) });
        if (m.sum) {
          return { descriptor, dataPointType: DataPointType.SUM, isMonotonic: m.sum.isMonotonic === true, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPoints: m.sum.dataPoints.map(num) };
        }
        if (m.gauge) {
          return { descriptor, dataPointType: DataPointType.GAUGE, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPoints: m.gauge.dataPoints.map(num) };
        }
        const h = m.histogram as NonNullable<OtlpMetric['histogram']>;
        return {
          descriptor,
          dataPointType: DataPointType.HISTOGRAM,
          aggregationTemporality: AggregationTemporality.CUMULATIVE,
          dataPoints: h.dataPoints.map((p) => ({
            ...point(p),
            value: { count: Number(p.count), sum: p.sum ?? 0, buckets: { boundaries: p.explicitBounds ?? [], counts: (p.bucketCounts ?? []).map(Number) } },
          })),
        };
      }),
    })),
  }));
}

function ours(): string {
  const md = readFileSync(inputFile, 'utf8');
  const json = /```json\n([\s\S]*?)\n```/.exec(md)?.[1];
  expect(json, 'the input file holds one ```json block').toBeDefined();
  return serializePrometheus(toResourceMetrics(JSON.parse(json as string) as OtlpRequest));
}

const captured = existsSync(capturedFile);

describe('pull endpoint vs the real collector', () => {
  it.skipIf(!captured)('has the same lines as the collector exposition (order aside)', () => {
    const theirs = readFileSync(capturedFile, 'utf8');
    const sorted = (s: string): string[] => s.split('\n').filter((l) => l !== '').sort();
    expect(sorted(ours())).toEqual(sorted(theirs));
  });

  it.skipIf(!captured)('is byte-identical to the collector exposition', () => {
    expect(ours()).toBe(readFileSync(capturedFile, 'utf8'));
  });

  it('translates the fixture input (names from the input table)', () => {
    const text = ours();
    for (const name of ['fixture_requests_total', 'fixture_payload_bytes_total', 'fixture_active', 'fixture_lag_seconds', 'fixture_state_ratio', 'fixture_duration_seconds', 'target_info']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });
});
