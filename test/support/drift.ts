// Reads `coex drift --format json` in tests: one line per drifted property, sorted.
import { shown } from "../../lib/review/drift";

export function driftEntries(stdout: string): string[] {
  const report = JSON.parse(stdout) as {
    stacks: Array<{
      drift: Array<{ resource: string; kind: string; property: string; declared?: unknown; live?: unknown }>;
    }>;
  };
  return report.stacks
    .flatMap((s) => s.drift)
    .map(
      (d) =>
        `${d.resource} ${d.kind} ${d.property} declared ${shown(d.declared, Number.MAX_SAFE_INTEGER)} live ${shown(d.live, Number.MAX_SAFE_INTEGER)}`,
    )
    .sort();
}
