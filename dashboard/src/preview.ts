/**
 * /dashboard/preview.html: hosts the real widget for the dashboard's live preview. The unsaved
 * theme and strings arrive in the query string and are laid over the configuration the widget
 * fetches, so the preview shows the look being edited before it is saved.
 */
const params = new URLSearchParams(location.search);
const key = params.get('key') ?? '';

function parse(name: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(params.get(name) ?? 'null');
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const theme = parse('theme');
const strings = parse('strings');
const realFetch = window.fetch.bind(window);
window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
  const response = await realFetch(input, init);
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (!response.ok || !new URL(url, location.href).pathname.endsWith('/widget/config')) return response;
  const config = (await response.json()) as Record<string, Record<string, unknown> | undefined>;
  const merged = { ...config, theme: { ...config.theme, ...theme }, strings: { ...config.strings, ...strings } };
  return new Response(JSON.stringify(merged), { status: 200, headers: { 'content-type': 'application/json' } });
};

if (key) {
  const script = document.createElement('script');
  script.src = '/widget.js';
  script.async = true;
  script.dataset.key = key;
  script.dataset.open = 'true';
  document.body.append(script);
} else {
  document.body.textContent = 'No publishable key to preview with.';
}
