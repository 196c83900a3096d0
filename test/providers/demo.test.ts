import { composeDemoReply, createDemoProvider, type Sleep } from '../../server/src/providers/demo';
import { countPromptTokens, countTextTokens } from '../../server/src/providers/tokens';
import { PROMPT, runStream } from './helpers';

describe('demo provider', () => {
  const instant = createDemoProvider({ chunkIntervalMs: 0, firstTokenMs: 0 });

  it('gives the same reply to the same conversation', async () => {
    const first = await runStream(instant);
    const second = await runStream(instant);
    expect(first.text).toBe(second.text);
    expect(first.text).toBe(composeDemoReply(PROMPT));
  });

  it('is labelled as a demo, echoes the question, and has some markdown', async () => {
    const { text } = await runStream(instant);
    expect(text.startsWith('[Demo reply]')).toBe(true);
    expect(text).toContain('How much is a loaf?');
    expect(text).toMatch(/^- /m);
    expect(text).toMatch(/`[^`]+`/);
  });

  it('answers a different conversation differently', async () => {
    const other = await runStream(instant, { messages: [{ role: 'user', content: 'Are you open on Sunday?' }] });
    expect(other.text).toContain('Are you open on Sunday?');
    expect(other.text).not.toBe(composeDemoReply(PROMPT));
  });

  it('reports usage counted with the ledger tokenizer', async () => {
    const result = await runStream(instant);
    expect(result.usage).toEqual({
      inputTokens: countPromptTokens(PROMPT),
      outputTokens: countTextTokens(result.text),
      reported: true,
    });
  });

  it.each([1, 7, 25])('stops at maxOutputTokens = %i', async (maxOutputTokens) => {
    const result = await runStream(instant, { maxOutputTokens });
    const full = composeDemoReply(PROMPT);
    expect(countTextTokens(result.text)).toBeLessThanOrEqual(maxOutputTokens);
    expect(result.usage?.outputTokens).toBe(countTextTokens(result.text));
    expect(full.startsWith(result.text)).toBe(true);
    expect(result.text.length).toBeLessThan(full.length);
  });

  it('paces its chunks through the injected sleep', async () => {
    const pauses: number[] = [];
    const sleep: Sleep = async (ms) => { pauses.push(ms); };
    const result = await runStream(createDemoProvider({ sleep, chunkIntervalMs: 30, firstTokenMs: 400 }));
    expect(pauses[0]).toBe(400);
    expect(pauses.slice(1).every((ms) => ms === 30)).toBe(true);
    // One pause before the first chunk, then one between each pair of chunks.
    expect(pauses).toHaveLength(result.deltas);
  });

  it('aborts mid-reply with beforeFirstToken false', async () => {
    const controller = new AbortController();
    const result = await runStream(createDemoProvider({ chunkIntervalMs: 5, firstTokenMs: 0 }), { signal: controller.signal }, {
      onDelta: (deltas) => { if (deltas === 3) controller.abort(); },
    });
    expect(result.error).toMatchObject({ kind: 'aborted', beforeFirstToken: false });
    expect(result.deltas).toBe(3);
    expect(result.usage).toBeUndefined();
  });

  it('aborts while "thinking" with beforeFirstToken true', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const result = await runStream(createDemoProvider({ firstTokenMs: 60_000 }), { signal: controller.signal });
    expect(result.error).toMatchObject({ kind: 'aborted', beforeFirstToken: true });
    expect(result.deltas).toBe(0);
  });

  it('notices an abort even with no pacing at all', async () => {
    const controller = new AbortController();
    const result = await runStream(instant, { signal: controller.signal }, {
      onDelta: (deltas) => { if (deltas === 2) controller.abort(); },
    });
    expect(result.error).toMatchObject({ kind: 'aborted', beforeFirstToken: false });
    expect(result.deltas).toBe(2);
  });
});
