import { ApiError } from './api';
import { errorMessage } from './messages';

describe('error messages', () => {
  it('tells a tracer in their language that the server is busy, and when to try again', () => {
    const busy = new ApiError(503, 'busy', 'the server is busy with other traces (64 waiting); try again later', [], 7);
    expect(errorMessage('en', busy)).toBe('The server is busy with other traces; try again in 7 s.');
    expect(errorMessage('vi', busy)).toBe('Máy chủ đang bận với các truy vết khác; hãy thử lại sau 7 giây.');
    expect(errorMessage('en', new ApiError(503, 'busy', 'busy'))).toContain('try again in 5 s');
  });

  it('says the server does not answer for a network failure', () => {
    expect(errorMessage('en', new ApiError(0, 'network', 'x'))).toBe('The server does not answer.');
  });

  it("gives the server's own detail and field paths otherwise (a database that is down is not `busy`)", () => {
    expect(errorMessage('en', new ApiError(503, 'unavailable', 'the database does not answer'))).toBe('the database does not answer');
    expect(errorMessage('en', new ApiError(400, 'validation', 'the request body is not valid', [{ path: 'body.depth', message: 'at most 5' }]))).toBe(
      'the request body is not valid (body.depth: at most 5)',
    );
    expect(errorMessage('en', new Error('boom'))).toBe('boom');
  });
});
