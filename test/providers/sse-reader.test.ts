import { StreamIdleTimeoutError } from '../../server/src/providers/errors';
import { SseReader } from '../../server/src/providers/sse-reader';

/** A response whose body arrives in exactly these byte chunks (then ends, unless `hang`). */
function responseOf(chunks: Uint8Array[], options: { hang?: boolean } = {}): Response {
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else if (!options.hang) controller.close();
      else return new Promise(() => undefined);
    },
  });
  return new Response(body);
}

async function readAll(reader: SseReader): Promise<string[][]> {
  await reader.open();
  const reads: string[][] = [];
  try {
    for (let events = await reader.next(); events !== null; events = await reader.next()) reads.push(events);
  } finally {
    reader.close();
  }
  return reads;
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const reader = (response: Response, signal = new AbortController().signal, idleTimeoutMs = 1_000) =>
  new SseReader({ signal, idleTimeoutMs, open: () => Promise.resolve(response) });

describe('SseReader', () => {
  it('returns the data of each completed event, whatever the line ends, and drops an unterminated last one', async () => {
    const text = 'data: one\n\n: a comment\r\ndata: two\r\n\r\nevent: x\rdata:three\r\rid: 7\ndata: four\ndata: five\n\ndata: cut';
    expect((await readAll(reader(responseOf([bytes(text)])))).flat()).toEqual(['one', 'two', 'three', 'four\nfive']);
  });

  it('keeps events, lines, a \\r\\n pair and a multi-byte character that are split across network chunks', async () => {
    const whole = bytes('data: {"t":"h\u00e9llo \u20ac"}\r\n\r\ndata: [DONE]\n\n');
    const cuts = [3, 14, 20, 21, 25, 26, 30]; // inside é and €, between \r and \n
    const chunks = [0, ...cuts].map((from, i) => whole.slice(from, cuts[i] ?? whole.length));
    const reads = await readAll(reader(responseOf(chunks)));
    expect(reads.flat()).toEqual(['{"t":"h\u00e9llo \u20ac"}', '[DONE]']);
    // An event is returned by the read that completes it, not later.
    expect(reads.length).toBe(2);
  });

  it("rejects with the caller's reason when the caller aborts during a read, and with an idle timeout when the body goes quiet", async () => {
    const controller = new AbortController();
    const aborted = reader(responseOf([bytes('data: a\n\n')], { hang: true }), controller.signal);
    await aborted.open();
    expect(await aborted.next()).toEqual(['a']);
    const pending = aborted.next();
    controller.abort(new Error('visitor stopped'));
    await expect(pending).rejects.toThrow('visitor stopped');
    aborted.close();

    const quiet = reader(responseOf([bytes('data: a\n\n')], { hang: true }), new AbortController().signal, 50);
    await quiet.open();
    expect(await quiet.next()).toEqual(['a']);
    await expect(quiet.next()).rejects.toBeInstanceOf(StreamIdleTimeoutError);
    quiet.close();
  });

  it('does not count the time the caller spends between reads as idle', async () => {
    const quiet = reader(responseOf([bytes('data: a\n\n'), bytes('data: b\n\n')]), new AbortController().signal, 50);
    await quiet.open();
    expect(await quiet.next()).toEqual(['a']);
    await new Promise((r) => setTimeout(r, 120));
    expect(await quiet.next()).toEqual(['b']);
    expect(await quiet.next()).toBeNull();
    quiet.close();
  });
});
