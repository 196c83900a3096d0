/** The Markdown subset the widget renders replies with: structure, and links that can never run script. */
import { parseBlocks, parseInline, safeUrl } from '../../widget/src/markdown/parse';

describe('markdown parsing', () => {
  it('parses paragraphs, headings, lists, quotes, rules and fenced code', () => {
    const blocks = parseBlocks('# Title\nSome **bold** and *it*.\nNext line\n\n- a\n- b\n\n3. three\n4. four\n\n> quoted\n\n---\n\n```js\nconst x = 1;\n```');
    expect(blocks.map((b) => b.t)).toEqual(['h', 'p', 'list', 'list', 'quote', 'hr', 'pre']);
    expect(blocks[1]).toEqual({ t: 'p', c: ['Some ', { t: 'strong', c: ['bold'] }, ' and ', { t: 'em', c: ['it'] }, '.', { t: 'br' }, 'Next line'] });
    expect(blocks[3]).toMatchObject({ t: 'list', ordered: true, start: 3 });
    expect(blocks[6]).toEqual({ t: 'pre', lang: 'js', text: 'const x = 1;' });
  });

  it('keeps an unclosed fence open to the end, as a streaming reply has it', () => {
    expect(parseBlocks('Here:\n```py\nprint(1)')).toEqual([
      { t: 'p', c: ['Here:'] },
      { t: 'pre', lang: 'py', text: 'print(1)' },
    ]);
  });

  it('leaves snake_case and lone asterisks alone', () => {
    expect(parseInline('use snake_case_names and 2 * 3 * 4')).toEqual(['use snake_case_names and 2 * 3 * 4']);
  });

  it('makes links only of absolute http(s) and mailto URLs', () => {
    expect(parseInline('[ok](https://example.com/a?b=1)')).toEqual([{ t: 'link', href: 'https://example.com/a?b=1', c: ['ok'] }]);
    for (const url of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<script>', 'vbscript:x', '/relative', '//evil.example/x']) {
      expect(safeUrl(url)).toBeNull();
    }
    expect(parseInline('[x](javascript:alert(1))')).toEqual([{ t: 'link', href: null, c: ['x'] }]);
  });

  it('turns images into links, never loading them', () => {
    expect(parseInline('![chart](https://example.com/c.png)')).toEqual([{ t: 'link', href: 'https://example.com/c.png', c: ['chart'] }]);
  });

  it('finds bare URLs without their trailing punctuation', () => {
    expect(parseInline('See https://example.com/x.')).toEqual(['See ', { t: 'link', href: 'https://example.com/x', c: ['https://example.com/x'] }, '.']);
  });

  it('stays fast on adversarial input', () => {
    const started = Date.now();
    parseBlocks('**'.repeat(5000) + '_'.repeat(5000) + '['.repeat(5000));
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
