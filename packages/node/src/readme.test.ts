import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_VARS } from './config/env.js';
import { ERROR_CODES } from './errors.js';

// The README's option and error tables are the user's reference; they must not fall behind the code.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('packages/node/README.md', () => {
  it.each(ENV_VARS.filter((v) => !/^OTEL_EXPORTER_OTLP_TRACES_/.test(v)))('documents %s', (name) => {
    expect(readme).toContain(`\`${name}\``);
  });

  it.each(Object.keys(ERROR_CODES))('lists error code %s', (code) => {
    expect(readme).toContain(`| \`${code}\` |`);
  });
});
