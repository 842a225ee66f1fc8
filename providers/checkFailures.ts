import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";

/** zod's issues as Pulumi check failures: the property path and what to write instead. */
export function checkFailures(error: z.ZodError): pulumi.dynamic.CheckFailure[] {
  return error.issues.map((issue) => ({
    property: issue.path.map(String).join(".") || "(inputs)",
    reason: issue.message,
  }));
}

/** The user's inputs without what Pulumi and the outputs add to a dynamic resource's property
 * bag (`__provider`, and output-only properties declared as undefined inputs). */
export function userInputs(
  news: Record<string, unknown>,
  outputOnly: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(news)) {
    if (k !== "__provider" && !outputOnly.includes(k)) out[k] = v;
  }
  return out;
}
