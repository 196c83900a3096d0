import { RateLimiterMemory } from 'rate-limiter-flexible';
import { blockLimiter } from '../../server/src/chat/block-limiter';
import { ChunkCoalescer, ChunkScheduler } from '../../server/src/chat/coalescer';
import { open, seal, SecretBoxError } from '../../server/src/crypto/secret-box';
import { issueVisitorToken, deriveVisitorTokenKey, verifyVisitorToken } from '../../server/src/gateway/visitor-token';
import { allowedOrigin } from '../../server/src/widget-config/origin';

describe('secret box (AES-256-GCM)', () => {
  const key = Buffer.alloc(32, 9);
  it('round-trips, with a fresh IV every time', () => {
    const a = seal({ key, plaintext: 'sk-secret', context: 'c' });
    const b = seal({ key, plaintext: 'sk-secret', context: 'c' });
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    expect(open({ key, sealed: a, context: 'c' })).toBe('sk-secret');
  });
  it('refuses a wrong key, a wrong context, tampering and unknown versions', () => {
    const sealed = seal({ key, plaintext: 'sk-secret', context: 'tenant-a' });
    expect(() => open({ key: Buffer.alloc(32, 1), sealed, context: 'tenant-a' })).toThrow(SecretBoxError);
    expect(() => open({ key, sealed, context: 'tenant-b' })).toThrow(SecretBoxError);
    const [v, iv, tag, body] = sealed.split('.');
    const flipped = body!.startsWith('A') ? `B${body!.slice(1)}` : `A${body!.slice(1)}`;
    expect(() => open({ key, sealed: [v, iv, tag, flipped].join('.'), context: 'tenant-a' })).toThrow(SecretBoxError);
    expect(() => open({ key, sealed: sealed.replace(/^v1/, 'v0'), context: 'tenant-a' })).toThrow(SecretBoxError);
  });
});

describe('visitor tokens', () => {
  const key = deriveVisitorTokenKey('a-session-secret-of-some-length-000');
  const claims = { tenantId: '5a3c2a8e-0000-4000-8000-000000000001', visitorId: '5a3c2a8e-0000-4000-8000-000000000002' };
  it('verifies its own tokens and nothing else', () => {
    const token = issueVisitorToken({ key, ...claims, now: new Date() });
    expect(verifyVisitorToken({ key, token })).toEqual(claims);
    expect(verifyVisitorToken({ key: deriveVisitorTokenKey('another-secret-entirely-0000000000'), token })).toBeUndefined();
    const [v, , sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ t: claims.tenantId, v: '5a3c2a8e-0000-4000-8000-000000000003', iat: 1 })).toString('base64url');
    expect(verifyVisitorToken({ key, token: `${v}.${forged}.${sig}` })).toBeUndefined();
    for (const junk of ['', 'v1', 'v1..', 'v2.a.b', `${token}.x`]) expect(verifyVisitorToken({ key, token: junk })).toBeUndefined();
  });
});

describe('allowed origins', () => {
  const check = (origin: string | undefined, allowed: string[], production = true) =>
    allowedOrigin({ origin, allowedOrigins: allowed, production, ownOrigin: 'https://parley.example' });
  it('matches exactly or by one wildcard label', () => {
    expect(check('https://shop.example', ['https://shop.example'])).toBe('https://shop.example');
    expect(check('https://shop.example:8443', ['https://shop.example'])).toBeUndefined();
    expect(check('http://shop.example', ['https://shop.example'])).toBeUndefined();
    expect(check('https://a.b.example.com', ['https://*.example.com'])).toBe('https://a.b.example.com');
    expect(check('https://example.com', ['https://*.example.com'])).toBeUndefined();
    expect(check('https://evilexample.com', ['https://*.example.com'])).toBeUndefined();
    expect(check('null', ['https://shop.example'])).toBeUndefined();
  });
  it('allows localhost only outside production, and treats no Origin as Parley’s own', () => {
    expect(check('http://localhost:3000', [], false)).toBe('http://localhost:3000');
    expect(check('http://localhost:3000', [], true)).toBeUndefined();
    expect(check(undefined, ['https://parley.example'])).toBe('https://parley.example');
    expect(check(undefined, ['https://shop.example'])).toBeUndefined();
  });
});

describe('chunk coalescer', () => {
  it('sends the first delta at once, then at most one chunk per tick, numbered from 1, losing nothing', async () => {
    const scheduler = new ChunkScheduler({ baseMs: 30, busyAt: 200 });
    const chunks: Array<{ seq: number; text: string; at: number }> = [];
    const start = performance.now();
    const c = new ChunkCoalescer({ scheduler, emit: (chunk) => chunks.push({ ...chunk, at: performance.now() - start }) });
    c.push('a');
    expect(chunks).toHaveLength(1);
    for (let i = 0; i < 20; i += 1) {
      c.push(String(i % 10));
      await new Promise((r) => setTimeout(r, 5));
    }
    c.flush();
    scheduler.stop();
    expect(chunks.map((x) => x.seq)).toEqual(chunks.map((_, i) => i + 1));
    expect(chunks.map((x) => x.text).join('')).toBe(`a${'0123456789'.repeat(2)}`);
    expect(c.delivered).toBe(`a${'0123456789'.repeat(2)}`);
    for (let i = 2; i < chunks.length - 1; i += 1) expect(chunks[i]!.at - chunks[i - 1]!.at).toBeGreaterThanOrEqual(25);
    expect(chunks.length).toBeLessThan(10);
  });

  it('stretches the gap in proportion when many replies stream at once', () => {
    const scheduler = new ChunkScheduler({ baseMs: 30, busyAt: 200 });
    expect(scheduler.intervalMs).toBe(30);
    for (let i = 0; i < 500; i += 1) scheduler.track(1);
    expect(scheduler.intervalMs).toBe(75);
  });
});

describe('block limiter', () => {
  const refusals = async (limiter: { consume(key: string): Promise<void> }, n: number) => {
    let refused = 0;
    for (let i = 0; i < n; i += 1) await limiter.consume('k').catch(() => (refused += 1));
    return refused;
  };
  it('with a block of 1 is exactly the shared limit', async () => {
    const limiter = blockLimiter({ shared: new RateLimiterMemory({ points: 5, duration: 60 }), block: 1 });
    expect(await refusals(limiter, 8)).toBe(3);
  });
  it('takes points a block at a time, never lets more through than the limit, and says when to retry', async () => {
    const shared = new RateLimiterMemory({ points: 25, duration: 60 });
    const limiter = blockLimiter({ shared, block: 10 });
    await Promise.all(Array.from({ length: 5 }, () => limiter.consume('k')));
    expect((await shared.get('k'))?.consumedPoints).toBe(10);
    // 25 points are two whole blocks: 20 pass, then the third block is refused.
    expect(await refusals(limiter, 20)).toBe(5);
    const error = await limiter.consume('k').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'rate_limited', details: { retryAfterSec: expect.any(Number) } });
  });
});
