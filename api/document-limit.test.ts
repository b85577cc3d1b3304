import { MemoryStore } from 'express-rate-limit';
import { forgetSecrets } from '../engine/secrets';
import { pseudonym } from '../engine/identity';
import { DocumentLimit, documentKey } from './document-limit';
import { HttpError } from './errors';

const saved = process.env['TRUYVET_PSEUDONYM_KEY'];
beforeAll(() => {
  process.env['TRUYVET_PSEUDONYM_KEY'] = 'a test pseudonym key of more than thirty-two characters';
  forgetSecrets();
});
afterAll(() => {
  if (saved === undefined) delete process.env['TRUYVET_PSEUDONYM_KEY'];
  else process.env['TRUYVET_PSEUDONYM_KEY'] = saved;
  forgetSecrets();
});

describe('the per-document-number declaration limit', () => {
  it('lets `limit` declarations of one number through in an hour, then answers 429 with Retry-After; another number is counted apart', async () => {
    const limit = new DocumentLimit(2);
    await limit.take('079080001234');
    await limit.take('079080001234');
    const refused = await limit.take('079080001234').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused).toMatchObject({ status: 429, code: 'rate_limited' });
    expect((refused as HttpError).retryAfterSeconds).toBeGreaterThan(3500);
    expect((refused as HttpError).retryAfterSeconds).toBeLessThanOrEqual(3600);
    await expect(limit.take('079080009999')).resolves.toBeUndefined();
  });

  it('counts in the store it is given (the primary’s, with workers), under a keyed hash that is neither the number nor the pseudonym', async () => {
    const keys: string[] = [];
    const windows: number[] = [];
    class Recording extends MemoryStore {
      override init(options: Parameters<MemoryStore['init']>[0]): void {
        windows.push(options.windowMs);
        super.init(options);
      }
      override async increment(key: string) {
        keys.push(key);
        return super.increment(key);
      }
    }
    const limit = new DocumentLimit(5, new Recording());
    await limit.take('079080001234');
    await limit.take('079080001234');
    expect(windows).toEqual([3_600_000]);
    expect(keys).toEqual([documentKey('079080001234'), documentKey('079080001234')]);
    expect(keys[0]).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(keys[0]).not.toContain('079080001234');
    expect(keys[0]).not.toBe(pseudonym('079080001234'));
    expect(pseudonym('079080001234')).not.toContain(keys[0]!);
  });
});
