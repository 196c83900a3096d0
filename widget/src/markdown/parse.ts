/**
 * A small Markdown subset for chat replies, parsed into plain data that is later rendered as DOM
 * text, never as HTML: whatever a model writes, no markup it contains can ever run. Supported:
 * paragraphs with line breaks, headings, fenced and indented code, lists, quotes, rules, and inline
 * code, bold, italic, strikethrough, links and bare URLs. Images become links (never loaded: a
 * prompt-injected image URL must not leak the conversation to a third party).
 */
export type Inline =
  | string
  | { t: 'code'; text: string }
  | { t: 'strong' | 'em' | 'del'; c: Inline[] }
  | { t: 'link'; href: string | null; c: Inline[] }
  | { t: 'br' };

export type Block =
  | { t: 'p'; c: Inline[] }
  | { t: 'h'; level: number; c: Inline[] }
  | { t: 'pre'; lang: string; text: string }
  | { t: 'list'; ordered: boolean; start: number; items: Inline[][] }
  | { t: 'quote'; c: Block[] }
  | { t: 'hr' };

const fence = /^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)/;
const heading = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const bullet = /^ {0,3}([-*+]|(\d{1,9})[.)])\s+(.*)$/;
const rule = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;
const quote = /^ {0,3}> ?(.*)$/;

export function parseBlocks(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    let m: RegExpExecArray | null;
    if (!line.trim()) {
      i++;
    } else if ((m = fence.exec(line))) {
      const close = new RegExp(`^ {0,3}${m[1]![0]}{${m[1]!.length},}\\s*$`);
      const body: string[] = [];
      // An unclosed fence (a reply still streaming) runs to the end.
      for (i++; i < lines.length && !close.test(lines[i]!); i++) body.push(lines[i]!);
      i++;
      blocks.push({ t: 'pre', lang: m[2] ?? '', text: body.join('\n') });
    } else if ((m = heading.exec(line))) {
      blocks.push({ t: 'h', level: m[1]!.length, c: parseInline(m[2]!) });
      i++;
    } else if (rule.test(line)) {
      blocks.push({ t: 'hr' });
      i++;
    } else if (quote.test(line)) {
      const body: string[] = [];
      for (; i < lines.length && (m = quote.exec(lines[i]!)); i++) body.push(m[1]!);
      blocks.push({ t: 'quote', c: parseBlocks(body.join('\n')) });
    } else if ((m = bullet.exec(line))) {
      const ordered = m[2] !== undefined;
      const items: string[] = [];
      for (; i < lines.length; i++) {
        const item = bullet.exec(lines[i]!);
        if (item && (item[2] !== undefined) === ordered) items.push(item[3]!);
        else if (items.length && /^\s{2,}\S/.test(lines[i]!)) items[items.length - 1] += `\n${lines[i]!.trim()}`;
        else break;
      }
      blocks.push({ t: 'list', ordered, start: ordered ? Number(m[2]) : 1, items: items.map(parseInline) });
    } else if (/^( {4}|\t)/.test(line)) {
      const body: string[] = [];
      for (; i < lines.length && (/^( {4}|\t)/.test(lines[i]!) || !lines[i]!.trim()); i++) body.push(lines[i]!.replace(/^( {4}|\t)/, ''));
      blocks.push({ t: 'pre', lang: '', text: body.join('\n').replace(/\n+$/, '') });
    } else {
      const body: string[] = [];
      for (; i < lines.length && lines[i]!.trim() && !startsBlock(lines[i]!); i++) body.push(lines[i]!.trim());
      if (!body.length) body.push(lines[i++]!.trim());
      blocks.push({ t: 'p', c: parseInline(body.join('\n')) });
    }
  }
  return blocks;
}

const startsBlock = (line: string) => fence.test(line) || heading.test(line) || rule.test(line) || quote.test(line) || bullet.test(line);

/**
 * One regular expression finds the earliest inline construct; spans never cross a blank line and
 * lazy bodies stop at their closer, so adversarial text costs at most quadratic time in one paragraph.
 */
const inlinePattern =
  /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)|(!?)\[([^\]\n]*)\]\(\s*<?([^\s<>()]*(?:\([^\s<>()]*\)[^\s<>()]*)*)>?(?:\s+["'][^"'\n]*["'])?\s*\)|(\*\*|__)(?=\S)([\s\S]*?\S)\6|(\*|_)(?=[^\s*_])([\s\S]*?[^\s\\])\8(?![\w*])|~~(?=\S)([\s\S]*?\S)~~|<((?:https?:\/\/|mailto:)[^\s<>]+)>|\b(https?:\/\/[^\s<>]*[^\s<>.,;:!?'")\]])|\n/g;

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  for (const m of text.matchAll(inlinePattern)) {
    const at = m.index;
    // `snake_case_words` are not emphasis: an `_` opener must not follow a letter or digit.
    if (m[8] === '_' && at > 0 && /\w/.test(text[at - 1]!)) continue;
    if (at > last) out.push(text.slice(last, at));
    last = at + m[0].length;
    if (m[1]) out.push({ t: 'code', text: m[2]!.replace(/^ (.+) $/, '$1') });
    else if (m[5] !== undefined) {
      const label = parseInline(m[4]!);
      out.push({ t: 'link', href: safeUrl(m[5]), c: m[3] ? [m[4] || m[5]] : label.length ? label : [m[5]] });
    } else if (m[6]) out.push({ t: 'strong', c: parseInline(m[7]!) });
    else if (m[8]) out.push({ t: 'em', c: parseInline(m[9]!) });
    else if (m[10]) out.push({ t: 'del', c: parseInline(m[10]) });
    else if (m[11] || m[12]) out.push({ t: 'link', href: safeUrl(m[11] ?? m[12]!), c: [(m[11] ?? m[12]!).replace(/^mailto:/, '')] });
    else out.push({ t: 'br' });
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/**
 * Only absolute http(s) and mailto URLs become links; everything else (`javascript:`, `data:`,
 * `vbscript:`, relative paths, entity or whitespace tricks) is shown as text. Parsing with `URL`
 * normalises the scheme exactly as the browser would when following the link.
 */
export function safeUrl(raw: string): string | null {
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' || url.protocol === 'http:' || url.protocol === 'mailto:' ? url.href : null;
  } catch {
    return null;
  }
}
