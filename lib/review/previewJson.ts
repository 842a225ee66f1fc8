// The pulumi CLI's structured output (`pulumi preview --json`, also with `--refresh`), read with a
// schema rather than from the display text: the fields change review, drift and policy read.
//
// What CLI 3.248 puts there (checked on real runs against the emulator): one step per resource;
// `oldState` is the state the step starts from (after `--refresh`, the freshly read one: a dynamic
// provider's outputs then hold the live values), `newState.inputs` the checked declaration;
// `detailedDiff` is null for a dynamic provider whose diff answers only `changes: true`, so the
// states are compared here. `refresh` steps carry the stored state unchanged in both.
import { z } from "zod";

const record = z.record(z.string(), z.unknown());

export const resourceStateSchema = z.looseObject({
  urn: z.string(),
  type: z.string(),
  id: z.string().optional(),
  inputs: record.optional(),
  outputs: record.optional(),
});
export type ResourceState = z.output<typeof resourceStateSchema>;

export const stepSchema = z.looseObject({
  op: z.string(),
  urn: z.string(),
  oldState: resourceStateSchema.optional(),
  newState: resourceStateSchema.optional(),
  replaceReasons: z.array(z.string()).optional(),
  diffReasons: z.array(z.string()).optional(),
});
export type Step = z.output<typeof stepSchema>;

export const diagnosticSchema = z.looseObject({
  urn: z.string().optional(),
  message: z.string().optional(),
  severity: z.string().optional(),
});
export type Diagnostic = z.output<typeof diagnosticSchema>;

export const previewJsonSchema = z.looseObject({
  config: z.record(z.string(), z.string()).optional(),
  steps: z.array(stepSchema).default([]),
  diagnostics: z.array(diagnosticSchema).default([]),
  changeSummary: z.record(z.string(), z.number()).optional(),
});
export type PreviewJson = z.output<typeof previewJsonSchema>;

/** Parses the CLI's --json output, saying what is wrong when it is not that. */
export function parsePreviewJson(text: string, what: string): PreviewJson {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${what}: the pulumi CLI's output is not JSON (${(e as Error).message})`);
  }
  const parsed = previewJsonSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`${what}: the pulumi CLI's JSON is not a preview: ${parsed.error.issues[0]?.message}`);
  }
  return parsed.data;
}

/** A resource's name: the URN's last part. */
export function resourceName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** The product's resource kind (ReachBackUser, AutomationApp...) from a dynamic resource's type
 * (pulumi-nodejs:dynamic/entra-coexistence:ReachBackUser), or the type as it is. */
export function resourceKind(type: string): string {
  const m = type.match(/^pulumi-nodejs:dynamic\/entra-coexistence:(\w+)$/);
  return m ? m[1] : type;
}

/** The type of the resource a step is about. */
export function stepType(step: Step): string {
  return step.newState?.type ?? step.oldState?.type ?? step.urn.split("::")[2]?.split("$").pop() ?? "";
}

/** The properties Pulumi adds to a dynamic resource's bag (the serialized provider). */
export const PULUMI_KEYS = new Set(["__provider"]);

/** A stack configuration value from the preview's config (values are strings, objects as JSON). */
export function configValue(preview: PreviewJson, key: string): unknown {
  const v = preview.config?.[key];
  if (v === undefined) return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
