import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { AttributeValue } from '@opentelemetry/api';
import { SDK_INFO } from '@opentelemetry/core';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ResolvedConfig } from '../config/resolved.js';
import { VERSION } from '../version.js';

/**
 * The resource: service identity, SDK and process facts that cost nothing to read. No cloud or container probes:
 * they do network or file I/O at startup (ask for them with OTEL_RESOURCE_ATTRIBUTES or your own detector).
 */
export function createResource(config: ResolvedConfig): Resource {
  const attributes: Record<string, AttributeValue> = {
    'service.instance.id': randomUUID(),
    'telemetry.sdk.name': 'opentelemetry',
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.version': SDK_INFO['telemetry.sdk.version'] ?? 'unknown',
    'telemetry.distro.name': 'otelkit',
    'telemetry.distro.version': VERSION,
    'process.pid': process.pid,
    'process.runtime.name': 'nodejs',
    'process.runtime.version': process.versions.node,
    'host.name': hostname(),
    ...config.resourceAttributes,
    'service.name': config.serviceName,
  };
  return resourceFromAttributes(attributes);
}
