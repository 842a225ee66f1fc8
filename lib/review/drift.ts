// Drift from the CLI's structured output, on the provider kernel's single drift model: after a
// refresh, a resource's outputs hold under each declared property's own name what the tenant or
// AD has (providers/kernel.ts), so a property has drifted where the refreshed outputs differ from
// the inputs of the last `pulumi up`. `pulumi preview --refresh --json` gives both in each step's
// oldState without writing anything (CLI 3.248's `refresh --preview-only --json` repeats the
// stored state and shows no live value).
import {
  type PreviewJson,
  PULUMI_KEYS,
  resourceKind,
  resourceName,
  type Step,
  stepType,
} from "./previewJson";

/** One property that differs; `declared` or `live` is absent for a list item only one side has. */
export interface DriftedProperty {
  resource: string;
  kind: string;
  /** Dotted path from the declared property (settings.inboundTrust.isMfaAccepted, permissions). */
  property: string;
  declared?: unknown;
  live?: unknown;
}

export interface StackDrift {
  stack: string;
  drift: DriftedProperty[];
  /** Resources the refresh found gone (deleted outside Pulumi). */
  gone: Array<{ resource: string; kind: string }>;
  /** Declared properties changed in the program or configuration since the last up: not drift,
   * but the next up writes them too. */
  pending: Array<{ resource: string; kind: string; property: string }>;
}

const isProductType = (type: string) => type.startsWith("pulumi-nodejs:dynamic/entra-coexistence:");

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const json = (v: unknown) => JSON.stringify(v ?? null);

/** The items of `a` that `b` does not have, counting repeats (compared as JSON). */
function without(a: readonly unknown[], b: readonly unknown[]): unknown[] {
  const rest = b.map(json);
  return a.filter((x) => {
    const i = rest.indexOf(json(x));
    if (i === -1) return true;
    rest.splice(i, 1);
    return false;
  });
}

/** The leaves where `declared` and `live` differ. A list is compared as a whole, whatever the
 * positions: an item only one side has is reported on its own (plain values), moved items not at
 * all; lists of objects of equal length are compared item by item (`certificates[0].thumbprint`). */
export function differences(
  path: string,
  declared: unknown,
  live: unknown,
): Omit<DriftedProperty, "resource" | "kind">[] {
  if (json(declared) === json(live)) return [];
  if (isPlainObject(declared) && isPlainObject(live)) {
    const keys = [...new Set([...Object.keys(declared), ...Object.keys(live)])].sort();
    return keys.flatMap((k) => differences(path ? `${path}.${k}` : k, declared[k], live[k]));
  }
  if (Array.isArray(declared) && Array.isArray(live)) {
    const missing = without(declared, live);
    const extra = without(live, declared);
    if (missing.length === 0 && extra.length === 0) return [];
    const objects = [...declared, ...live].some((x) => typeof x === "object" && x !== null);
    if (objects && declared.length === live.length) {
      return declared.flatMap((d, i) => differences(`${path}[${i}]`, d, live[i]));
    }
    return [
      ...missing.map((d) => ({ property: path, declared: d })),
      ...extra.map((l) => ({ property: path, live: l })),
    ];
  }
  return [{ property: path, declared, live }];
}

/** A stack's drift from `pulumi preview --refresh --json`. */
/** What a resource's stored inputs declare, by resource kind ("ReachBackUser"): with what the state
 * leaves out (providers/kernel.ts declaredOf). */
export type DeclaredView = (kind: string, inputs: Record<string, unknown>) => Record<string, unknown>;

export function driftOf(
  stack: string,
  preview: PreviewJson,
  declared: DeclaredView = (_, i) => i,
): StackDrift {
  const refreshed = new Set(preview.steps.filter((s) => s.op === "refresh").map((s) => s.urn));
  const result: StackDrift = { stack, drift: [], gone: [], pending: [] };
  for (const step of preview.steps) {
    if (step.op === "refresh") continue;
    const type = stepType(step);
    if (!isProductType(type)) continue;
    const resource = resourceName(step.urn);
    const kind = resourceKind(type);
    // Declared and refreshed, yet created again: the refresh found it gone.
    if (step.op === "create" && refreshed.has(step.urn)) {
      result.gone.push({ resource, kind });
      continue;
    }
    result.drift.push(...propertyDrift(step, kind, declared).map((d) => ({ resource, kind, ...d })));
    result.pending.push(...pendingChanges(step).map((property) => ({ resource, kind, property })));
  }
  return result;
}

/** Live (refreshed outputs) against declared (the inputs of the last up), per declared property. */
function propertyDrift(
  step: Step,
  kind: string,
  declared: DeclaredView,
): Omit<DriftedProperty, "resource" | "kind">[] {
  const stored = step.oldState?.inputs;
  const outputs = step.oldState?.outputs;
  if (!stored || !outputs) return [];
  const inputs = declared(kind, stored);
  return Object.keys(inputs)
    .filter((k) => !PULUMI_KEYS.has(k) && k in outputs)
    .sort()
    .flatMap((k) => differences(k, inputs[k], outputs[k]));
}

/** Declared properties whose value in the program differs from the last up's. */
function pendingChanges(step: Step): string[] {
  const before = step.oldState?.inputs;
  const now = step.newState?.inputs;
  if (!before || !now || !["update", "replace", "create-replacement"].includes(step.op)) return [];
  return Object.keys(now)
    .filter((k) => !PULUMI_KEYS.has(k) && json(before[k]) !== json(now[k]))
    .sort();
}

export const hasDrift = (d: StackDrift) => d.drift.length > 0 || d.gone.length > 0;

/** A value as a person reads it: JSON, cut short when long (a certificate's DER is kilobytes). */
export function shown(v: unknown, max = 80): string {
  if (v === undefined) return "(none)";
  const s = JSON.stringify(v);
  return s.length <= max ? s : `${s.slice(0, max - 20)}… (${s.length} characters)`;
}

const count = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

function summary(d: StackDrift): string {
  const resources = new Set([...d.drift.map((x) => x.resource), ...d.gone.map((x) => x.resource)]);
  const parts = [`${count(d.drift.length, "setting")} changed outside Pulumi`];
  if (d.gone.length > 0) parts.push(`${count(d.gone.length, "resource")} deleted outside Pulumi`);
  return `${parts.join(", ")} (${count(resources.size, "resource")})`;
}

/** Columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

const FIX = "run `pulumi up --refresh` to put them back, or change the stack to accept them";

export function driftTable(reports: readonly StackDrift[]): string[] {
  const out: string[] = [];
  for (const d of reports) {
    if (!hasDrift(d)) {
      out.push(`no drift: stack ${d.stack} matches both tenants`);
    } else {
      out.push(`drift in stack ${d.stack}: ${summary(d)}`);
      const rows = [
        ...d.drift.map((x) => [x.resource, x.kind, x.property, shown(x.declared), shown(x.live)]),
        ...d.gone.map((x) => [x.resource, x.kind, "(the object)", "exists", "(gone)"]),
      ];
      out.push(...table(["RESOURCE", "KIND", "PROPERTY", "DECLARED", "LIVE"], rows).map((l) => `  ${l}`));
      out.push(FIX);
    }
    if (d.pending.length > 0) {
      out.push(
        `not drift: stack ${d.stack} has changes declared since its last up (the next up writes them): ${d.pending
          .map((p) => `${p.resource}.${p.property}`)
          .join(", ")}`,
      );
    }
  }
  return out;
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
const code = (s: string) => `\`${cell(s)}\``;

export function driftMarkdown(reports: readonly StackDrift[]): string[] {
  const out: string[] = [];
  for (const d of reports) {
    out.push(`### Drift: stack \`${d.stack}\``, "");
    if (!hasDrift(d)) {
      out.push("No drift: the stack matches both tenants.", "");
    } else {
      out.push(`${summary(d)}.`, "");
      out.push("| Resource | Kind | Property | Declared | Live |", "|---|---|---|---|---|");
      for (const x of d.drift) {
        out.push(
          `| ${code(x.resource)} | ${x.kind} | ${code(x.property)} | ${code(shown(x.declared))} | ${code(shown(x.live))} |`,
        );
      }
      for (const x of d.gone)
        out.push(`| ${code(x.resource)} | ${x.kind} | (the object) | exists | **gone** |`);
      out.push("", `To fix: ${FIX}.`, "");
    }
    if (d.pending.length > 0) {
      out.push(
        `Not drift: declared since the last up, written by the next one: ${d.pending
          .map((p) => code(`${p.resource}.${p.property}`))
          .join(", ")}.`,
        "",
      );
    }
  }
  return out;
}
