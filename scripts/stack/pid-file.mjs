// Pid files that remember which process they name. A pid alone is not an identity: after the process exits (or the
// machine reboots) the number can belong to anything, and `stack down` would signal it. So the file records the
// process's start time and command line (and on Linux the boot id), and a signal is sent only while they still match.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

function readProc(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * What identifies a running process beyond its pid, or undefined when no process has that pid. Linux: boot id,
 * start time in clock ticks since boot (/proc/<pid>/stat field 22) and the command line; elsewhere `ps`'s start
 * time and command.
 */
export function processIdentity(pid) {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  const stat = readProc(`/proc/${pid}/stat`);
  if (stat !== undefined) {
    // The command name (field 2) is in parentheses and may hold spaces or parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      bootId: (readProc('/proc/sys/kernel/random/boot_id') ?? '').trim(),
      startTime: fields[19] ?? '',
      cmdline: (readProc(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean).join(' '),
    };
  }
  if (existsProcDir()) return undefined;
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-o', 'args=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (out === '') return undefined;
    // lstart is five fields: "Wed Dec  2 13:00:00 2026"
    const parts = out.split(/\s+/);
    return { bootId: '', startTime: parts.slice(0, 5).join(' '), cmdline: parts.slice(5).join(' ') };
  } catch {
    return undefined;
  }
}

function existsProcDir() {
  return readProc('/proc/self/stat') !== undefined;
}

/** Writes `pid` with its identity, read now (right after spawn, when the exec has already happened). */
export function writePidFile(file, pid) {
  writeFileSync(file, `${JSON.stringify({ pid, ...processIdentity(pid) })}\n`);
}

/** `{ pid, identity }` from a pid file; identity is undefined for a file of an older version (a bare number). */
export function readPidFile(file) {
  const text = readFileSync(file, 'utf8').trim();
  if (/^\d+$/.test(text)) return { pid: Number(text), identity: undefined };
  try {
    const { pid, bootId, startTime, cmdline } = JSON.parse(text);
    if (!Number.isSafeInteger(pid) || typeof startTime !== 'string') return undefined;
    return { pid, identity: { bootId: String(bootId ?? ''), startTime, cmdline: String(cmdline ?? '') } };
  } catch {
    return undefined;
  }
}

/**
 * Whether the process `pid` is still the one recorded: 'same', 'gone' (no such process), or 'other' (the pid now
 * names another process, or the record has no identity to compare, so it cannot be trusted).
 */
export function compareProcess(pid, identity) {
  const now = processIdentity(pid);
  if (now === undefined) return 'gone';
  if (identity === undefined) return 'other';
  return now.bootId === identity.bootId && now.startTime === identity.startTime && now.cmdline === identity.cmdline ? 'same' : 'other';
}
