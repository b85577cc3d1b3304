import fs from 'node:fs';
import { invalidInput } from '../errors';

/**
 * The rejects report (`--report FILE`): every rejected row as CSV `line,field,reason,value`,
 * meant to be opened in a spreadsheet next to the source file. Cells are quoted, and a cell
 * that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) gets a
 * leading `'`, so a hostile `=HYPERLINK(…)` in the source shows as text (OWASP "CSV injection").
 * `value` is the rejected field's text (clipped to 200 characters, line breaks written `\n`),
 * except for personal fields, which stay blank: the operator has the source file and the line
 * number.
 */

export interface ReportRow {
  readonly line: number;
  readonly field: string;
  readonly reason: string;
  readonly value: string;
}

const HEADER = 'line,field,reason,value\n';
const FORMULA_START = /^[=+\-@\t\r]/;
/** Columns whose text is personal data: never copied into the report. */
const PERSONAL = new Set(['person_id', 'full_name', 'birth_date', 'sex', 'phone']);
const MAX_VALUE = 200;

export function neutralize(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

function quote(cell: string): string {
  return `"${neutralize(cell).replace(/"/g, '""')}"`;
}

/** The value shown for a rejected field: blank for personal fields, clipped, line breaks and tabs as `\n`, `\r`, `\t` so one reject is one line. */
export function reportValue(field: string, value: string | undefined): string {
  if (value === undefined || PERSONAL.has(field)) return '';
  const v = value.length > MAX_VALUE ? `${value.slice(0, MAX_VALUE)}…` : value;
  return v.replace(/[\r\n\t]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}

export function formatReportRow(r: ReportRow): string {
  return `${r.line},${quote(r.field)},${quote(r.reason)},${quote(r.value)}\n`;
}

/**
 * Appends rows with synchronous writes, so the byte length is exact when a checkpoint records
 * it. A fresh report truncates the file; a resumed one cuts it back to the checkpoint's length.
 */
export class RejectReport {
  private constructor(
    readonly path: string,
    private readonly fd: number,
    private length: number,
  ) {}

  static create(file: string): RejectReport {
    const fd = open(file, 'w');
    const r = new RejectReport(file, fd, 0);
    r.write(HEADER);
    return r;
  }

  /** Continues a report from a checkpoint; undefined when the file is not as the checkpoint left it. */
  static resume(file: string, bytes: number): RejectReport | undefined {
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      return undefined;
    }
    if (size < bytes || bytes < HEADER.length) return undefined;
    const fd = open(file, 'r+');
    fs.ftruncateSync(fd, bytes);
    return new RejectReport(file, fd, bytes);
  }

  get bytes(): number {
    return this.length;
  }

  add(rows: readonly ReportRow[]): void {
    if (rows.length === 0) return;
    this.write(rows.map(formatReportRow).join(''));
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  private write(text: string): void {
    const buf = Buffer.from(text, 'utf8');
    fs.writeSync(this.fd, buf, 0, buf.length, this.length);
    this.length += buf.length;
  }
}

function open(file: string, flags: string): number {
  try {
    return fs.openSync(file, flags, 0o600);
  } catch (e) {
    throw invalidInput(`cannot write the rejects report ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
