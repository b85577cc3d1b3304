import fs from 'node:fs';
import path from 'node:path';
import { STATUS } from '../../api/errors';
import { ApiError } from './api';
import { en, vi } from './i18n';
import { ERROR_CODES, errorMessage } from './messages';

/** Every .ts file under `dir`, without the tests. */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [p] : [];
  });
}

/** The problem codes the API can answer: the engine's (api/errors.ts STATUS) and every literal code its sources give an HttpError or a problem. */
function apiCodes(): Set<string> {
  const codes = new Set<string>(Object.keys(STATUS));
  for (const file of sources(path.join(__dirname, '..', '..', 'api'))) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:new HttpError|problem)\(\s*\d{3},\s*'([a-z_]+)'/g)) codes.add(m[1]!);
  }
  return codes;
}

describe('error messages', () => {
  it('the API’s sources name codes at all (the scan below sees them)', () => {
    const codes = apiCodes();
    for (const c of ['busy', 'rate_limited', 'cancelled', 'not_found', 'validation', 'internal']) expect(codes).toContain(c);
  });

  it('have a sentence in Vietnamese and English for every problem code the API can answer', () => {
    const known = new Set<string>(ERROR_CODES);
    expect([...apiCodes()].filter((c) => !known.has(c))).toEqual([]);
    for (const code of ERROR_CODES) {
      if (code === 'busy') continue;
      expect([code, `error.${code}` in vi, `error.${code}` in en]).toEqual([code, true, true]);
      const vnText = errorMessage('vi', new ApiError(code === 'network' ? 0 : 400, code, 'an English detail'));
      const enText = errorMessage('en', new ApiError(code === 'network' ? 0 : 400, code, 'an English detail'));
      expect([code, vnText.includes('an English detail'), enText.includes('an English detail'), vnText === enText]).toEqual([code, false, false, false]);
    }
  });

  it('tells a tracer in their language that the server is busy, and when to try again', () => {
    const busy = new ApiError(503, 'busy', 'the server is busy with other traces (64 waiting); try again later', [], 7);
    expect(errorMessage('en', busy)).toBe('The server is busy with other traces; try again in 7 s.');
    expect(errorMessage('vi', busy)).toBe('Máy chủ đang bận với các truy vết khác; hãy thử lại sau 7 giây.');
    expect(errorMessage('en', new ApiError(503, 'busy', 'busy'))).toContain('try again in 5 s');
  });

  it('says the server does not answer for a network failure', () => {
    expect(errorMessage('en', new ApiError(0, 'network', 'x'))).toBe('The server does not answer.');
  });

  it('says what failed in the words of the task: an unknown F0, too many login attempts', () => {
    const unknown = new ApiError(404, 'not_found', "unknown F0 'pd56…': no such person in the graph");
    expect(errorMessage('vi', unknown, 'trace')).toBe('Không có người nào mang mã định danh F0 này trong dữ liệu: hãy kiểm tra lại mã.');
    expect(errorMessage('vi', unknown)).toBe('Không tìm thấy dữ liệu được yêu cầu.');
    expect(errorMessage('vi', new ApiError(429, 'rate_limited', 'too many login attempts; try again in a minute'), 'login')).toBe(
      'Quá nhiều lần đăng nhập trong một phút; hãy thử lại sau một phút.',
    );
    expect(errorMessage('vi', new ApiError(499, 'cancelled', 'the trace was cancelled by its tracer'), 'trace')).toBe('Đã hủy lần truy vết; không có gì được lưu.');
  });

  it('names a refused field by its label in the form, with the server’s rule', () => {
    const e = new ApiError(400, 'validation', 'the request body is not valid', [{ path: 'body.to', message: 'the period is at most 21 days' }]);
    expect(errorMessage('vi', e)).toBe('Yêu cầu chưa hợp lệ ở: Đến: the period is at most 21 days');
    expect(errorMessage('en', new ApiError(400, 'validation', 'x', [{ path: 'body.zzz', message: 'unknown' }]))).toBe('The request is not valid: body.zzz: unknown');
  });

  it('falls back on the status for a code it does not know, never on the server’s English', () => {
    expect(errorMessage('vi', new ApiError(502, 'bad_gateway', 'Bad Gateway'))).toBe('Máy chủ gặp lỗi nội bộ (mã 502); hãy thử lại hoặc báo cho quản trị viên.');
    expect(errorMessage('en', new ApiError(418, 'teapot', 'I am a teapot'))).toBe('Something went wrong.');
    expect(errorMessage('en', new Error('the SVG could not be drawn'))).toBe('Something went wrong. (the SVG could not be drawn)');
  });
});
