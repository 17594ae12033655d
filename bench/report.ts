// Printing: aligned tables, numbers with a sensible number of digits, goal lines (met / not met), and the
// machine description every result is recorded with.
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export function fixed(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

export function percent(value: number): string {
  return Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : 'n/a';
}

export function mib(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : 'n/a';
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  return [line(headers), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

export interface Goal {
  name: string;
  met: boolean | undefined;
  detail: string;
}

export function goalLine(goal: Goal): string {
  const verdict = goal.met === undefined ? 'NOT MEASURED' : goal.met ? 'met' : 'NOT MET';
  return `goal: ${goal.name}: ${verdict} (${goal.detail})`;
}

export function heading(title: string): string {
  return `\n== ${title} ${'='.repeat(Math.max(0, 74 - title.length))}`;
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  /** Soft limit of open files (each subscriber is a socket on both sides); undefined off Linux. */
  openFilesLimit: number | undefined;
}

function openFilesLimit(): number | undefined {
  try {
    const soft = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
    return soft === undefined ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

export function machine(): Machine {
  const cores = cpus();
  return {
    cpus: cores.length,
    cpuModel: cores[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    openFilesLimit: openFilesLimit(),
  };
}
