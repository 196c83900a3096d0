import { css } from 'lit';

/** Sub-views, notices, buttons, packs and lists inside the panel's body. */
export const viewStyles = css`
  .subhead {
    display: flex;
    align-items: center;
    gap: 4px;
    margin-bottom: 8px;
  }
  h3 {
    margin: 0;
    font-size: 16px;
  }
  .big {
    font-size: 22px;
    font-weight: 700;
    margin: 4px 0 12px;
  }
  .btn {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 8px;
    margin: 4px 6px 4px 0;
    padding: 7px 14px;
    font: inherit;
    font-size: 14px;
    color: var(--_fg);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: 8px;
    cursor: pointer;
    text-decoration: none;
  }
  .btn.primary {
    color: var(--parley-on-brand, #fff);
    background: var(--parley-brand, #1d4ed8);
    border-color: transparent;
  }
  .btn.plain {
    border-color: transparent;
    text-decoration: underline;
  }
  .notice {
    margin: 8px 0;
    padding: 10px 12px;
    border-radius: 10px;
    border: 1px solid var(--_border);
    background: var(--_surface);
  }
  .notice p {
    margin: 0 0 6px;
  }
  .notice.bad {
    border-color: var(--_danger);
  }
  .notice.bad > p {
    color: var(--_danger);
    font-weight: 600;
  }
  .packs {
    display: flex;
    flex-direction: column;
    gap: 6px;
  }
  .pack-row,
  .rows li {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 8px;
    padding: 8px 0;
    border-bottom: 1px solid var(--_border);
  }
  .pack {
    justify-content: space-between;
  }
  .pack small {
    color: inherit;
    opacity: 0.9;
  }
  .badge {
    font-style: normal;
    font-size: 12px;
    padding: 1px 6px;
    border-radius: 999px;
    background: var(--parley-brand, #1d4ed8);
    color: var(--parley-on-brand, #fff);
  }
  small {
    color: var(--_muted);
  }
  .choices,
  .rows {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .choice {
    display: flex;
    gap: 10px;
    align-items: flex-start;
    width: 100%;
    margin: 0 0 6px;
    padding: 10px;
    font: inherit;
    text-align: start;
    color: var(--_fg);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: 10px;
    cursor: pointer;
  }
  .choice[aria-pressed='true'] {
    border: 2px solid var(--parley-brand, #1d4ed8);
  }
  .choice > span {
    display: flex;
    flex-direction: column;
    min-width: 0;
  }
  .greeting p {
    margin: 2px 0 0;
  }
  .offline {
    padding: 6px 12px;
    font-size: 13px;
    text-align: center;
    color: #111827;
    background: #fde68a;
  }
`;
