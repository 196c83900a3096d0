import { css } from 'lit';

export const messageStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    margin: 0 0 10px;
  }
  :host([from='user']) {
    align-items: flex-end;
  }
  .bubble {
    box-sizing: border-box;
    max-width: 88%;
    padding: 8px 12px;
    border-radius: 14px;
    background: var(--_surface);
    color: var(--_fg);
    overflow-wrap: anywhere;
  }
  .plain {
    white-space: pre-wrap;
  }
  :host([from='user']) .bubble {
    background: var(--parley-brand, #1d4ed8);
    color: var(--parley-on-brand, #fff);
  }
  .bubble > :first-child {
    margin-top: 0;
  }
  .bubble > :last-child {
    margin-bottom: 0;
  }
  p,
  ul,
  ol,
  pre,
  blockquote {
    margin: 0 0 8px;
  }
  ul,
  ol {
    padding-inline-start: 20px;
  }
  .h1,
  .h2 {
    font-size: 1.1em;
  }
  code {
    font: 0.9em/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    background: rgba(127, 127, 127, 0.16);
    padding: 1px 4px;
    border-radius: 4px;
  }
  pre {
    overflow-x: auto;
    padding: 8px 10px;
    border-radius: 8px;
    background: #0f172a;
    color: #e2e8f0;
  }
  pre code {
    background: none;
    padding: 0;
    white-space: pre;
  }
  blockquote {
    padding-inline-start: 10px;
    border-inline-start: 3px solid var(--_border);
    color: var(--_muted);
  }
  a {
    color: inherit;
    text-decoration: underline;
  }
  a:focus-visible,
  button:focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
  .meta {
    display: flex;
    gap: 8px;
    align-items: center;
    margin-top: 3px;
    font-size: 12px;
    color: var(--_muted);
  }
  .meta.bad {
    color: var(--_danger);
  }
  button {
    font: inherit;
    color: inherit;
    background: none;
    border: 0;
    padding: 0;
    text-decoration: underline;
    cursor: pointer;
  }
  .dots span {
    display: inline-block;
    width: 6px;
    height: 6px;
    margin: 0 2px;
    border-radius: 50%;
    background: currentColor;
    opacity: 0.35;
    animation: blink 1.2s infinite;
  }
  .dots span:nth-child(2) {
    animation-delay: 0.2s;
  }
  .dots span:nth-child(3) {
    animation-delay: 0.4s;
  }
  @keyframes blink {
    50% {
      opacity: 1;
    }
  }
  .sr {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  @media (prefers-reduced-motion: reduce) {
    .dots span {
      animation: none;
      opacity: 0.7;
    }
  }
`;
