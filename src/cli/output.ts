// Printing for the CLI: a JSON document with --json, otherwise an aligned table or key: value lines.

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Renders rows as an aligned table; `columns` picks and orders the fields. */
export function printTable(rows: readonly object[], columns: readonly string[]): void {
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const cells = rows.map((row) => columns.map((c) => cellText((row as Record<string, unknown>)[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (values: string[]): string =>
    values.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd() + '\n';
  process.stdout.write(line(columns.map((c) => c.toUpperCase())));
  for (const r of cells) process.stdout.write(line(r));
}

/** Prints one record as `key: value` lines. */
export function printRecord(record: object): void {
  const width = Math.max(...Object.keys(record).map((k) => k.length));
  for (const [key, value] of Object.entries(record)) {
    if (Array.isArray(value) || (value !== null && typeof value === 'object')) continue;
    process.stdout.write(`${(key + ':').padEnd(width + 2)}${cellText(value)}\n`);
  }
}

export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.map(cellText).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value).replace(/\s+/g, ' ');
}
