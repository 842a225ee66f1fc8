// `coex drift [--stack S ...] [--format table|json|markdown]`: what changed outside Pulumi in each
// stack, read-only. `pulumi preview --refresh --json` reads both tenants and AD without writing
// the state; lib/review/drift.ts turns its steps into declared-vs-live per property.
//   Exit codes: 0 no drift; 7 drift (a setting differs, or a resource is gone); 2 the check could
//   not run (pulumi failed, a usage error), with the reason on stderr.
import { driftMarkdown, driftOf, driftTable, hasDrift, type StackDrift } from "../lib/review/drift";
import { declaredOf } from "../providers";
import { PulumiFailed, pulumiJson, type StackRef } from "./pulumiJson";

export const DRIFT_FORMATS = ["table", "json", "markdown"] as const;
export type DriftFormat = (typeof DRIFT_FORMATS)[number];
export const EXIT_NO_DRIFT = 0;
export const EXIT_DRIFT = 7;
export const EXIT_CHECK_FAILED = 2;

export async function driftCommand(
  stacks: readonly StackRef[],
  format: DriftFormat,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const reports: StackDrift[] = [];
  for (const ref of stacks) {
    try {
      reports.push(driftOf(ref.stack, await pulumiJson(["preview", "--refresh"], ref), declaredOf));
    } catch (e) {
      if (!(e instanceof PulumiFailed)) throw e;
      err(`coex drift: ${e.message}`);
      return EXIT_CHECK_FAILED;
    }
  }
  if (format === "json") {
    out(JSON.stringify({ drift: reports.some(hasDrift), stacks: reports }, null, 2));
  } else {
    for (const l of format === "markdown" ? driftMarkdown(reports) : driftTable(reports)) out(l);
  }
  return reports.some(hasDrift) ? EXIT_DRIFT : EXIT_NO_DRIFT;
}
