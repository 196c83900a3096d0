import { html, nothing, type TemplateResult } from 'lit';

/**
 * A labelled form control with its hint and its validation message right beside it. A template
 * helper rather than an element, so the control stays in the page's own shadow root (labels,
 * `aria-describedby` and form submission all work without crossing shadow boundaries).
 */
export interface FieldOptions {
  /** Unique within the page; the message gets `${id}-msg`. */
  id: string;
  label: string;
  hint?: string | TemplateResult;
  error?: string;
}

export interface FieldA11y {
  id: string;
  describedBy: string;
  invalid: 'true' | 'false';
}

export function field(options: FieldOptions, control: (a11y: FieldA11y) => TemplateResult): TemplateResult {
  const a11y: FieldA11y = { id: options.id, describedBy: `${options.id}-msg`, invalid: options.error ? 'true' : 'false' };
  return html`<div class="field">
    <label for=${options.id}><span>${options.label}</span></label>
    ${control(a11y)}
    <div id=${a11y.describedBy}>
      ${options.error ? html`<div class="error" role="alert">${options.error}</div>` : nothing}
      ${options.hint ? html`<div class="hint">${options.hint}</div>` : nothing}
    </div>
  </div>`;
}
