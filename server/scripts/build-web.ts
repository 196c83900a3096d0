/**
 * Builds what the server serves to browsers: the widget and the dashboard. `npm start` runs it
 * with --if-stale (nothing to do after the first start unless sources changed); `npm run build`
 * runs it in full.
 */
import { buildWidget } from '../../widget/scripts/build';
import { buildDashboard } from '../../dashboard/scripts/build';

async function run(): Promise<void> {
  const ifStale = process.argv.includes('--if-stale');
  const widget = await buildWidget({ ifStale });
  const dashboard = await buildDashboard({ ifStale });
  process.stdout.write(`widget ${widget.built ? 'built' : 'up to date'}; dashboard ${dashboard ? 'built' : 'up to date'}\n`);
}

run().catch((err: unknown) => {
  process.stderr.write(`build failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
