// `stack down` signals only the processes the stack started: a pid file whose pid now names another process (the
// service exited and the pid was reused, or the machine rebooted) leaves that process alone.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { compareProcess, processIdentity, readPidFile, writePidFile } from './pid-file.mjs';
import { stopStackFromState } from './runner.mjs';

let dir: string;
const children: ChildProcess[] = [];

function idle(): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'otelkit-stack-'));
  mkdirSync(join(dir, 'pids'));
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

it('records the identity with the pid, and stops the process it names while it is still that process', async () => {
  const { child, exited } = idle();
  const file = join(dir, 'pids', 'collector.pid');
  writePidFile(file, child.pid as number);
  const record = readPidFile(file);
  expect(record?.pid).toBe(child.pid);
  expect(record?.identity?.startTime).not.toBe('');
  expect(record?.identity?.cmdline).toContain('setInterval');
  expect(compareProcess(child.pid as number, record?.identity)).toBe('same');

  const lines: string[] = [];
  expect(await stopStackFromState(dir, (l) => lines.push(l))).toEqual(['collector']);
  expect(await exited).toEqual({ code: null, signal: 'SIGTERM' });
  expect(lines).toEqual([]);
  expect(existsSync(file)).toBe(false);
});

it('leaves alone a process that now has the recorded pid but is not the one started', async () => {
  const started = idle();
  const recorded = processIdentity(started.child.pid as number);
  started.child.kill('SIGKILL');
  await started.exited;
  // The pid was reused: the pid file names a live process whose start time and command line differ.
  const stranger = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000) // another program'], { stdio: 'ignore' });
  children.push(stranger);
  writeFileSync(join(dir, 'pids', 'jaeger.pid'), JSON.stringify({ pid: stranger.pid, ...recorded }));
  expect(compareProcess(stranger.pid as number, recorded)).toBe('other');

  const lines: string[] = [];
  expect(await stopStackFromState(dir, (l) => lines.push(l))).toEqual([]);
  expect(stranger.exitCode).toBeNull();
  expect(stranger.signalCode).toBeNull();
  expect(processIdentity(stranger.pid as number)).toBeDefined();
  expect(lines).toEqual([`stack: jaeger: pid ${stranger.pid} is not the process the stack started (another process has that pid now); not signalled`]);
  expect(existsSync(join(dir, 'pids', 'jaeger.pid'))).toBe(false);
});

it('does not trust a pid file without an identity (older format, a bare number)', async () => {
  const { child } = idle();
  writeFileSync(join(dir, 'pids', 'prometheus.pid'), String(child.pid));
  const lines: string[] = [];
  expect(await stopStackFromState(dir, (l) => lines.push(l))).toEqual([]);
  expect(child.exitCode).toBeNull();
  expect(child.signalCode).toBeNull();
  expect(lines).toEqual([`stack: prometheus: pid ${child.pid} is not the process the stack started (its pid file records no identity); not signalled`]);
});

it('says nothing about a process that is gone, and removes its pid file', async () => {
  const { child, exited } = idle();
  const file = join(dir, 'pids', 'alertmanager.pid');
  writePidFile(file, child.pid as number);
  child.kill('SIGKILL');
  await exited;
  const lines: string[] = [];
  expect(await stopStackFromState(dir, (l) => lines.push(l))).toEqual([]);
  expect(lines).toEqual([]);
  expect(existsSync(file)).toBe(false);
});
