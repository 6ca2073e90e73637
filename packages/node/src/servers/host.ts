import type { AlertSpec, DashboardSpec } from '../artifacts/types.js';
import type { Catalog } from '../catalog.js';
import { SERVER_JOBS } from './jobs.js';

// The host seen from node_exporter (Debian's 1.5.0 with the cpu, meminfo, filesystem, diskstats, netdev, loadavg and
// stat collectors), scraped by the collector's prometheus receiver (collector/receivers.yaml), job "node". As for
// PostgreSQL, the catalog names each metric as the receiver hands it over (the exporter's name and TYPE, no unit);
// node_exporter's counters already end in _total, so the collector's translation leaves every name as it was.

const DEVICE = { key: 'device', description: 'Block or network device' } as const;
const FILESYSTEM = [DEVICE, { key: 'fstype', description: 'Filesystem type' }, { key: 'mountpoint', description: 'Mount point' }] as const;

export const hostCatalog: Catalog = [
  {
    name: 'node_cpu_seconds_total', kind: 'counter', unit: '', description: 'CPU seconds spent per CPU and mode.',
    attributes: [{ key: 'cpu', description: 'CPU index' }, { key: 'mode', values: ['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user'] }],
  },
  { name: 'node_load1', kind: 'gauge', unit: '', description: 'Load average over 1 minute.', attributes: [] },
  { name: 'node_load5', kind: 'gauge', unit: '', description: 'Load average over 5 minutes.', attributes: [] },
  { name: 'node_load15', kind: 'gauge', unit: '', description: 'Load average over 15 minutes.', attributes: [] },
  { name: 'node_memory_MemTotal_bytes', kind: 'gauge', unit: '', description: 'Physical memory.', attributes: [] },
  { name: 'node_memory_MemAvailable_bytes', kind: 'gauge', unit: '', description: 'Memory available for new work without swapping.', attributes: [] },
  { name: 'node_filesystem_size_bytes', kind: 'gauge', unit: '', description: 'Filesystem size.', attributes: FILESYSTEM },
  { name: 'node_filesystem_avail_bytes', kind: 'gauge', unit: '', description: 'Filesystem space available to unprivileged users.', attributes: FILESYSTEM },
  { name: 'node_filesystem_readonly', kind: 'gauge', unit: '', description: '1 when the filesystem is mounted read-only.', attributes: FILESYSTEM },
  { name: 'node_disk_read_bytes_total', kind: 'counter', unit: '', description: 'Bytes read per disk.', attributes: [DEVICE] },
  { name: 'node_disk_written_bytes_total', kind: 'counter', unit: '', description: 'Bytes written per disk.', attributes: [DEVICE] },
  { name: 'node_disk_io_time_seconds_total', kind: 'counter', unit: '', description: 'Seconds a disk spent doing I/O.', attributes: [DEVICE] },
  { name: 'node_network_receive_bytes_total', kind: 'counter', unit: '', description: 'Bytes received per network device.', attributes: [DEVICE] },
  { name: 'node_network_transmit_bytes_total', kind: 'counter', unit: '', description: 'Bytes sent per network device.', attributes: [DEVICE] },
  { name: 'node_procs_running', kind: 'gauge', unit: '', description: 'Processes in runnable state.', attributes: [] },
  { name: 'node_procs_blocked', kind: 'gauge', unit: '', description: 'Processes blocked waiting for I/O.', attributes: [] },
];

const W = '$__rate_interval';
const BY = 'job, instance';
const FS_BY = `${BY}, device, mountpoint`;

/** Busy share of the CPUs (0–1) over `window`: everything but idle. */
function cpuBusy(window: string): string {
  return `1 - avg by (${BY}) (rate({{node_cpu_seconds_total}}{mode="idle"}[${window}]))`;
}

/** Share of memory in use (0–1): what is not available. */
const memoryUsed = `1 - max by (${BY}) ({{node_memory_MemAvailable_bytes}}) / max by (${BY}) ({{node_memory_MemTotal_bytes}})`;

/** Share of each filesystem still available (0–1). */
const spaceAvailable = `max by (${FS_BY}) ({{node_filesystem_avail_bytes}}) / max by (${FS_BY}) ({{node_filesystem_size_bytes}})`;

/** Available bytes of each filesystem `ahead` from now, extrapolated linearly from the last `window`. */
function availablePredicted(window: string, ahead: string): string {
  return `max by (${FS_BY}) (predict_linear({{node_filesystem_avail_bytes}}[${window}], ${ahead}))`;
}

const writable = `max by (${FS_BY}) ({{node_filesystem_readonly}}) == 0`;

export const hostDashboard: DashboardSpec = {
  id: 'host',
  title: 'otelkit / Host',
  description: `The machine (node_exporter through the collector, job "${SERVER_JOBS.host}"): CPU, load, memory, disk space and its 24-hour prediction, disk and network I/O, processes.`,
  tags: ['servers'],
  variableMetric: 'node_load1',
  rows: [
    {
      title: 'CPU and memory',
      panels: [
        { title: 'CPU busy', unit: 'percentunit', min: 0, max: 1, targets: [{ expr: cpuBusy(W), legend: '{{instance}}' }] },
        {
          title: 'CPU by mode',
          unit: 'percentunit', stacked: true, min: 0,
          targets: [{ expr: `avg by (mode) (rate({{node_cpu_seconds_total}}{mode!="idle"}[${W}]))`, legend: '{{mode}}' }],
        },
        {
          title: 'Load average',
          targets: [
            { expr: `max by (${BY}) ({{node_load1}})`, legend: '1m {{instance}}' },
            { expr: `max by (${BY}) ({{node_load5}})`, legend: '5m {{instance}}' },
            { expr: `max by (${BY}) ({{node_load15}})`, legend: '15m {{instance}}' },
          ],
        },
        { title: 'Memory used', unit: 'percentunit', min: 0, max: 1, targets: [{ expr: memoryUsed, legend: '{{instance}}' }] },
      ],
    },
    {
      title: 'Disk space',
      panels: [
        { title: 'Space used by mount point', unit: 'percentunit', min: 0, max: 1, targets: [{ expr: `1 - ${spaceAvailable}`, legend: '{{instance}} {{mountpoint}}' }] },
        {
          title: 'Available now and predicted in 24 h (from the last 6 h)',
          unit: 'bytes',
          targets: [
            { expr: `max by (${FS_BY}) ({{node_filesystem_avail_bytes}})`, legend: 'now {{mountpoint}}' },
            { expr: availablePredicted('6h', '86400'), legend: 'in 24 h {{mountpoint}}' },
          ],
        },
      ],
    },
    {
      title: 'I/O and processes',
      panels: [
        {
          title: 'Disk bytes per second',
          unit: 'Bps',
          targets: [
            { expr: `sum by (${BY}, device) (rate({{node_disk_read_bytes_total}}[${W}]))`, legend: 'read {{device}}' },
            { expr: `sum by (${BY}, device) (rate({{node_disk_written_bytes_total}}[${W}]))`, legend: 'written {{device}}' },
          ],
        },
        { title: 'Disk busy', unit: 'percentunit', min: 0, max: 1, targets: [{ expr: `max by (${BY}, device) (rate({{node_disk_io_time_seconds_total}}[${W}]))`, legend: '{{device}}' }] },
        {
          title: 'Network bytes per second',
          unit: 'Bps',
          targets: [
            { expr: `sum by (${BY}, device) (rate({{node_network_receive_bytes_total}}[${W}]))`, legend: 'in {{device}}' },
            { expr: `sum by (${BY}, device) (rate({{node_network_transmit_bytes_total}}[${W}]))`, legend: 'out {{device}}' },
          ],
        },
        {
          title: 'Processes running and blocked',
          targets: [
            { expr: `max by (${BY}) ({{node_procs_running}})`, legend: 'running {{instance}}' },
            { expr: `max by (${BY}) ({{node_procs_blocked}})`, legend: 'blocked {{instance}}' },
          ],
        },
      ],
    },
  ],
};

export const hostAlerts: readonly AlertSpec[] = [
  {
    alert: 'OtelkitHostCpuHigh',
    expr: `${cpuBusy('5m')} > 0.9`,
    for: '15m',
    severity: 'warning',
    summary: 'Host {{ $labels.instance }} CPUs are {{ $value | humanizePercentage }} busy.',
    description: 'For 15 minutes over 90% of the machine\'s CPU time has been busy: everything on it, the services included, runs slower.',
    runbook: 'Find the process (top, or each service\'s "CPU cores in use" panel); scale out or give the machine more CPUs; check for a runaway job.',
  },
  {
    alert: 'OtelkitHostMemoryHigh',
    expr: `${memoryUsed} > 0.9`,
    for: '10m',
    severity: 'warning',
    summary: 'Host {{ $labels.instance }} has {{ $value | humanizePercentage }} of its memory in use.',
    description: 'For 10 minutes less than 10% of the machine\'s memory has been available: next come swapping and the OOM killer.',
    runbook: 'Find the process that grows (ps, each service\'s RSS and heap panels); look for a leak; add memory or move work elsewhere.',
  },
  {
    alert: 'OtelkitHostDiskSpaceLow',
    expr: `${spaceAvailable} < 0.1\nand ${writable}`,
    for: '10m',
    severity: 'warning',
    summary: 'Host {{ $labels.instance }}: {{ $labels.mountpoint }} has {{ $value | humanizePercentage }} space left.',
    description: 'A writable filesystem has had less than 10% of its space available for 10 minutes; when it is full, writes fail (databases stop, logs are lost).',
    runbook: 'Find what grew (du -x on the mount point): logs, database files, WAL held back by a replication slot, old backups; free or grow the volume.',
  },
  {
    alert: 'OtelkitHostDiskFillingUp',
    // The linear trend of the last 6 hours, 24 hours ahead; only once a filesystem is over 60% used, so a fresh,
    // mostly empty volume being written to does not page.
    expr: `${availablePredicted('6h', '24 * 3600')} < 0\nand ${spaceAvailable} < 0.4\nand ${writable}`,
    for: '1h',
    severity: 'warning',
    summary: 'Host {{ $labels.instance }}: {{ $labels.mountpoint }} will be full within 24 hours at the current rate.',
    description: 'Extrapolating the last 6 hours, the filesystem runs out of space within a day; it is already over 60% used.',
    runbook: 'See the dashboard\'s "Available now and predicted in 24 h" panel for what changed and when; find what writes (iotop, du); rotate logs, trim data, or grow the volume before it fills.',
  },
];
