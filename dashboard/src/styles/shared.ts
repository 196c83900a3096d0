import { css } from 'lit';

/**
 * Styles every page shares inside its shadow root: layout, cards, forms, buttons, tables, badges.
 * Only `--parley-*` custom properties are read, so the whole dashboard themes from page.css.
 */
export const sharedStyles = css`
  :host { display: block; color: var(--parley-text); font-family: var(--parley-font); }
  * { box-sizing: border-box; }
  h1 { font-size: 1.5rem; margin: 0 0 4px; line-height: 1.25; }
  h2 { font-size: 1.1rem; margin: 0 0 12px; }
  h3 { font-size: 1rem; margin: 0 0 8px; }
  p { margin: 0 0 12px; }
  a { color: var(--parley-accent); }
  .lede { color: var(--parley-muted); margin-bottom: 20px; }
  .muted { color: var(--parley-muted); }
  .mono { font-family: var(--parley-mono); font-size: 0.9em; word-break: break-all; }
  .nowrap { white-space: nowrap; }
  .spaced { margin-bottom: 16px; }
  .card { background: var(--parley-surface); border: 1px solid var(--parley-border); border-radius: var(--parley-radius); padding: 20px; margin-bottom: 20px; }
  .row { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
  .spread { display: flex; justify-content: space-between; align-items: center; gap: 12px; flex-wrap: wrap; }
  .grid-2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 20px; }
  .stack > * + * { margin-top: 12px; }

  form { display: grid; gap: 14px; }
  fieldset { border: 0; margin: 0; padding: 0; display: grid; gap: 14px; min-width: 0; }
  /* align-content: start keeps label, control and message together when a neighbour in the row is taller. */
  .field { display: grid; gap: 4px; align-content: start; }
  .field > span, .field > label > span { font-weight: 600; font-size: 0.9rem; }
  .field .hint { color: var(--parley-muted); font-size: 0.85rem; }
  .field .error { color: var(--parley-danger); font-size: 0.85rem; }
  .fields-2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 14px; }
  input, select, textarea {
    font: inherit; color: inherit; background: var(--parley-surface); border: 1px solid var(--parley-border);
    border-radius: 6px; padding: 8px 10px; width: 100%; min-height: 38px;
  }
  input[type='checkbox'] { width: auto; min-height: 0; margin: 0; flex: none; }
  label.check { display: flex; gap: 8px; align-items: baseline; }
  input[type='color'] { padding: 2px; width: 56px; }
  textarea { min-height: 96px; resize: vertical; }
  [aria-invalid='true'] { border-color: var(--parley-danger); }
  input:disabled, select:disabled, textarea:disabled { background: var(--parley-bg); color: var(--parley-muted); }
  :focus-visible { outline: none; box-shadow: var(--parley-focus); }

  button, .button {
    font: inherit; font-weight: 600; border-radius: 6px; border: 1px solid var(--parley-border); background: var(--parley-surface);
    color: var(--parley-text); padding: 8px 14px; min-height: 38px; cursor: pointer; text-decoration: none; display: inline-flex;
    align-items: center; gap: 6px; white-space: nowrap;
  }
  button.primary, .button.primary { background: var(--parley-accent); border-color: var(--parley-accent); color: var(--parley-accent-text); }
  button.danger { color: var(--parley-danger); border-color: var(--parley-danger); }
  button.link { border: 0; background: none; color: var(--parley-accent); padding: 0; min-height: 0; }
  button:disabled { opacity: 0.55; cursor: not-allowed; }

  table { width: 100%; border-collapse: collapse; font-size: 0.95rem; }
  th { text-align: left; font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.03em; color: var(--parley-muted); font-weight: 600; }
  th, td { padding: 10px 8px; border-bottom: 1px solid var(--parley-border); vertical-align: top; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  .table-wrap { overflow-x: auto; }

  .badge { display: inline-block; border-radius: 999px; padding: 1px 10px; font-size: 0.8rem; font-weight: 600; background: var(--parley-bg); border: 1px solid var(--parley-border); }
  .badge.ok { background: var(--parley-success-soft); color: var(--parley-success); border-color: transparent; }
  .badge.warn { background: var(--parley-warning-soft); color: var(--parley-warning); border-color: transparent; }
  .badge.bad { background: var(--parley-danger-soft); color: var(--parley-danger); border-color: transparent; }
  .banner { border-radius: var(--parley-radius); padding: 12px 14px; margin-bottom: 16px; }
  .banner.error { background: var(--parley-danger-soft); color: var(--parley-danger); }
  .banner.info { background: var(--parley-accent-soft); }
  .banner.warn { background: var(--parley-warning-soft); color: var(--parley-warning); }
  input.narrow { width: 7em; min-height: 30px; padding: 4px 6px; }
  /* Narrow windows: a page's action button wraps below its title and needs room above the first card. */
  @media (max-width: 900px) { header.spread { margin-bottom: 16px; } }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
