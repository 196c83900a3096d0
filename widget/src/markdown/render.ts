import { html, nothing, type TemplateResult } from 'lit';
import { parseBlocks, type Block, type Inline } from './parse';

/**
 * Renders parsed Markdown with Lit text and attribute bindings only (no `unsafeHTML`), so every
 * character a model produced ends up as DOM text. Link targets were vetted by `safeUrl`; an
 * unsafe one renders as plain text.
 */
export function renderMarkdown(source: string): TemplateResult[] {
  return parseBlocks(source).map(block);
}

function block(b: Block): TemplateResult {
  switch (b.t) {
    case 'p':
      return html`<p>${b.c.map(inline)}</p>`;
    case 'h':
      // Headings inside a reply are styled text, not document structure for screen readers.
      return html`<p class="h h${b.level}"><strong>${b.c.map(inline)}</strong></p>`;
    case 'pre':
      return html`<pre part="code" data-lang=${b.lang || nothing}><code>${b.text}</code></pre>`;
    case 'list':
      return b.ordered
        ? html`<ol start=${b.start}>${b.items.map((item) => html`<li>${item.map(inline)}</li>`)}</ol>`
        : html`<ul>${b.items.map((item) => html`<li>${item.map(inline)}</li>`)}</ul>`;
    case 'quote':
      return html`<blockquote>${b.c.map(block)}</blockquote>`;
    case 'hr':
      return html`<hr />`;
  }
}

function inline(node: Inline): TemplateResult | string {
  if (typeof node === 'string') return node;
  switch (node.t) {
    case 'code':
      return html`<code>${node.text}</code>`;
    case 'strong':
      return html`<strong>${node.c.map(inline)}</strong>`;
    case 'em':
      return html`<em>${node.c.map(inline)}</em>`;
    case 'del':
      return html`<del>${node.c.map(inline)}</del>`;
    case 'br':
      return html`<br />`;
    case 'link':
      return node.href
        ? html`<a href=${node.href} target="_blank" rel="noopener noreferrer">${node.c.map(inline)}</a>`
        : html`${node.c.map(inline)}`;
  }
}
