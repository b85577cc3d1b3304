import type ExcelJS from 'exceljs';
import { TEXT_COLUMNS, wallDate, EXPORT_COLUMNS, type ExportTable } from './export-rows';

/**
 * The people list as an Excel workbook, written in the browser with exceljs: a CSV's national ids
 * and phones are read by Excel as numbers (the leading 0 goes, 12 digits show as 7.9E+10), so here
 * every identifier is a text cell in a column formatted as text (`@`), times are dates in Ho Chi
 * Minh City wall time, scores and counts numbers. Why in the browser: the file is made of what the
 * tracer has on screen (the loaded result, its language), so no second way out for personal data
 * is opened on the server. exceljs (863 kB minified, 4× the view) is loaded only when a tracer
 * first asks for the file (loadExcel).
 */

export type ExcelModule = Pick<typeof ExcelJS, 'Workbook'>;

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface WorkbookMeta {
  readonly sheet: string;
  /** A line above the table: the trace, its request, when the file was made. */
  readonly title: string;
  readonly createdAt: Date;
}

/** The workbook's bytes: a title row, the header (bold, frozen, filtered), then one row per person. */
export async function peopleWorkbook(excel: ExcelModule, table: ExportTable, meta: WorkbookMeta): Promise<ArrayBuffer> {
  const wb = new excel.Workbook();
  wb.creator = 'truyvet';
  wb.created = meta.createdAt;
  // Sheet names: at most 31 characters, none of []:*?/\
  const ws = wb.addWorksheet(meta.sheet.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31), { views: [{ state: 'frozen', ySplit: 2 }] });
  ws.getCell(1, 1).value = meta.title;
  ws.getCell(1, 1).font = { bold: true };
  const header = ws.getRow(2);
  table.header.forEach((h, i) => (header.getCell(i + 1).value = h));
  header.font = { bold: true };
  EXPORT_COLUMNS.forEach((key, i) => {
    const col = ws.getColumn(i + 1);
    if (TEXT_COLUMNS.has(key)) col.numFmt = '@';
    col.width = Math.min(40, Math.max(10, (table.header[i]?.length ?? 10) + 2));
  });
  table.rows.forEach((cells, r) => {
    const row = ws.getRow(r + 3);
    cells.forEach((c, i) => {
      const cell = row.getCell(i + 1);
      switch (c.kind) {
        case 'text':
          // A string value is a text cell (a shared string); `@` keeps it text if edited.
          cell.value = c.value;
          cell.numFmt = '@';
          break;
        case 'number':
          cell.value = c.value;
          break;
        case 'time':
          cell.value = wallDate(c.value);
          cell.numFmt = 'dd/mm/yyyy hh:mm';
          break;
        case 'empty':
          break;
      }
    });
  });
  ws.autoFilter = { from: { row: 2, column: 1 }, to: { row: 2, column: table.header.length } };
  return (await wb.xlsx.writeBuffer());
}

export function xlsxBlob(bytes: ArrayBuffer): Blob {
  return new Blob([bytes], { type: XLSX_TYPE });
}

let loading: Promise<ExcelModule> | undefined;

/** exceljs's browser build (viz/build.ts copies it beside app.js), loaded once, on first use. */
export function loadExcel(src = 'exceljs.min.js'): Promise<ExcelModule> {
  loading ??= new Promise<ExcelModule>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.async = true;
    script.onload = () => {
      const mod = (window as unknown as { ExcelJS?: ExcelModule }).ExcelJS;
      if (mod) resolve(mod);
      else reject(new Error('exceljs did not load'));
    };
    script.onerror = () => reject(new Error('exceljs could not be loaded'));
    document.head.append(script);
  });
  // A failed load may be tried again.
  loading.catch(() => (loading = undefined));
  return loading;
}
