import { css } from 'lit';

export const composerStyles = css`
  :host {
    display: block;
    border-top: 1px solid var(--_border);
    padding: 8px 10px 6px;
    background: var(--_bg);
  }
  form {
    display: flex;
    align-items: flex-end;
    gap: 8px;
    flex-wrap: wrap;
  }
  textarea {
    flex: 1;
    box-sizing: border-box;
    min-height: 40px;
    max-height: 160px;
    resize: none;
    margin: 0;
    padding: 9px 10px;
    font: inherit;
    /* 16px keeps iOS from zooming the page when the field takes focus. */
    font-size: 16px;
    line-height: 1.35;
    color: var(--_fg);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: 10px;
  }
  textarea:focus-visible,
  button:focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
  textarea:disabled {
    background: var(--_surface);
    color: var(--_muted);
  }
  button {
    box-sizing: border-box;
    width: 40px;
    height: 40px;
    flex: none;
    display: grid;
    place-items: center;
    padding: 0;
    border: 0;
    border-radius: 10px;
    cursor: pointer;
    background: var(--parley-brand, #1d4ed8);
    color: var(--parley-on-brand, #fff);
  }
  button:disabled {
    cursor: default;
    background: var(--_surface);
    color: var(--_muted);
  }
  svg {
    width: 20px;
    height: 20px;
    fill: currentColor;
  }
  .count {
    width: 100%;
    text-align: end;
    font-size: 12px;
    color: var(--_muted);
    min-height: 16px;
  }
  .count.near {
    color: var(--_danger);
    font-weight: 600;
  }
`;
