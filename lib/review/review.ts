// `coex review`: the previews of one or more stacks as the Markdown a reviewer needs. Every
// replacement and deletion first, then the policy's verdict, then per stack what is updated
// (property by property, what the tenant had at the last read against what up writes) and created,
// and per wave its users with what the preview said of their preconditions.
import type { Violation } from "../policy/run";
import { type DeclaredView, differences, shown } from "./drift";
import {
  type PreviewJson,
  PULUMI_KEYS,
  resourceKind,
  resourceName,
  type Step,
  stepType,
} from "./previewJson";

export interface PropertyChange {
  property: string;
  /** What the tenant had at the last read (absent: not there). */
  before?: unknown;
  /** What up writes (absent: removed). */
  after?: unknown;
}

export interface Change {
  resource: string;
  kind: string;
  properties: PropertyChange[];
  /** For a replacement: the properties that force it. */
  replaceReasons: string[];
}

export interface WaveUser {
  resource: string;
  change: "create" | "update" | "replace" | "delete" | "same";
  sourceUserPrincipalName: string;
  targetEmailAddress: string;
  coexRoutingAddress: string;
  mailboxMigration: string;
  rollbackOnDelete: boolean;
}

export interface StackReview {
  stack: string;
  /** The preview refused (a program error, such as a wave's bad rows): its errors, nothing else. */
  refused?: string[];
  creates: Change[];
  updates: Change[];
  replaces: Change[];
  deletes: Change[];
  unchanged: number;
  /** Present when the stack declares wave users (ReachBackUser). */
  wave?: WaveUser[];
  /** The preview's warnings, as it said them (a wave's rows left out, a replacement's effect). */
  warnings: string[];
}

const OPS: Record<string, "create" | "update" | "replace" | "delete" | "same" | undefined> = {
  create: "create",
  update: "update",
  replace: "replace",
  "create-replacement": "replace",
  "delete-replaced": "replace",
  delete: "delete",
  same: "same",
};

/** Resources a reviewer cares about: custom resources, not the stack, providers or components. */
function reviewed(step: Step): boolean {
  const state = step.newState ?? step.oldState;
  const type = stepType(step);
  return state?.custom !== false && !type.startsWith("pulumi:");
}

function changesOf(step: Step): PropertyChange[] {
  const now = step.newState?.inputs;
  if (!now) return [];
  const before = step.oldState?.outputs ?? step.oldState?.inputs ?? {};
  return Object.keys(now)
    .filter((k) => !PULUMI_KEYS.has(k))
    .sort()
    .flatMap((k) =>
      differences(k, before[k], now[k]).map((d) => ({
        property: d.property,
        before: d.declared,
        after: d.live,
      })),
    );
}

export function reviewOf(
  stack: string,
  preview: PreviewJson,
  declared: DeclaredView = (_, i) => i,
): StackReview {
  const r: StackReview = {
    stack,
    creates: [],
    updates: [],
    replaces: [],
    deletes: [],
    unchanged: 0,
    warnings: [],
  };
  const seen = new Map<string, string>();
  const wave: WaveUser[] = [];
  for (const step of preview.steps) {
    const op = OPS[step.op];
    if (!op || !reviewed(step)) continue;
    // A replacement shows as up to three steps of one URN.
    if (seen.has(step.urn)) continue;
    seen.set(step.urn, op);
    const type = stepType(step);
    const change: Change = {
      resource: resourceName(step.urn),
      kind: resourceKind(type),
      properties: op === "update" || op === "replace" ? changesOf(step) : [],
      replaceReasons: op === "replace" ? (step.replaceReasons ?? []) : [],
    };
    if (op === "same") r.unchanged++;
    else ({ create: r.creates, update: r.updates, replace: r.replaces, delete: r.deletes })[op].push(change);
    if (resourceKind(type) === "ReachBackUser") {
      const props = declared(
        "ReachBackUser",
        (step.newState?.inputs ?? step.oldState?.inputs ?? {}) as Record<string, unknown>,
      );
      wave.push({
        resource: change.resource,
        change: op,
        sourceUserPrincipalName: String(props.sourceUserPrincipalName ?? ""),
        targetEmailAddress: String(props.targetEmailAddress ?? ""),
        coexRoutingAddress: String(props.coexRoutingAddress ?? ""),
        mailboxMigration: String(props.mailboxMigration ?? ""),
        rollbackOnDelete: props.rollbackOnDelete === true,
      });
    }
  }
  if (wave.length > 0) {
    r.wave = wave.sort((a, b) => a.sourceUserPrincipalName.localeCompare(b.sourceUserPrincipalName));
  }
  r.warnings = preview.diagnostics
    .filter((d) => d.severity === "warning" && d.message)
    .map((d) => String(d.message).trim());
  return r;
}

/** A stack whose preview failed: what it said. */
export function refusedReview(stack: string, errors: string[]): StackReview {
  return {
    stack,
    refused: errors,
    creates: [],
    updates: [],
    replaces: [],
    deletes: [],
    unchanged: 0,
    warnings: [],
  };
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
const code = (s: string) => `\`${cell(s)}\``;
const count = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/** What a wave user's row in the review says of the preconditions. */
function preconditions(u: WaveUser): string {
  switch (u.change) {
    case "create":
      return "met (checked read-only at preview)";
    case "same":
      return "already enabled by this stack";
    case "delete":
      return u.rollbackOnDelete
        ? "leaves the stack: put back as found (rollbackOnDelete)"
        : "leaves the stack: left enabled as it is (no rollbackOnDelete)";
    default:
      return "declared again (checked read-only at preview)";
  }
}

function quoteBlock(text: string): string[] {
  return ["```", ...text.split("\n"), "```"];
}

export function reviewMarkdown(reviews: readonly StackReview[], violations: readonly Violation[]): string[] {
  const out: string[] = ["## Change review", ""];
  out.push(
    "| Stack | Create | Update | Replace | Delete | Unchanged |",
    "|---|---|---|---|---|---|",
    ...reviews.map((r) =>
      r.refused
        ? `| ${code(r.stack)} | preview refused | | | | |`
        : `| ${code(r.stack)} | ${r.creates.length} | ${r.updates.length} | **${r.replaces.length}** | **${r.deletes.length}** | ${r.unchanged} |`,
    ),
    "",
  );

  const risky = reviews.flatMap((r) => [
    ...r.replaces.map((c) => ({ stack: r.stack, c, what: "replaced" })),
    ...r.deletes.map((c) => ({ stack: r.stack, c, what: "deleted" })),
  ]);
  out.push("### Replacements and deletions", "");
  if (risky.length === 0) out.push("None: nothing is replaced or deleted.", "");
  else {
    for (const { stack, c, what } of risky) {
      const why =
        c.replaceReasons.length > 0 ? ` because ${c.replaceReasons.map(code).join(", ")} changed` : "";
      out.push(`- **${what}**: ${code(c.resource)} (${c.kind}) in stack ${code(stack)}${why}`);
    }
    out.push("");
  }

  out.push("### Policy", "");
  if (violations.length === 0) {
    const refused = reviews.some((r) => r.refused);
    out.push(`Every coexistence invariant holds${refused ? " in the stacks whose preview ran" : ""}.`, "");
  } else {
    out.push(`**${count(violations.length, "violation")}: do not apply.**`, "");
    for (const v of violations) {
      out.push(
        `- ${code(v.policy)} in stack ${code(v.stack)}${v.resource ? `, ${code(v.resource)}` : ""}: ${v.message}`,
      );
    }
    out.push("");
  }

  for (const r of reviews) {
    out.push(`### Stack \`${r.stack}\``, "");
    if (r.refused) {
      out.push("The preview refused the stack, and nothing would be written. It said:", "");
      for (const e of r.refused) out.push(...quoteBlock(e));
      out.push("");
      continue;
    }
    const updates = [...r.replaces, ...r.updates].filter((c) => c.properties.length > 0);
    if (updates.length > 0) {
      out.push("Changed properties (the tenant at the last read, and what `pulumi up` writes):", "");
      out.push("| Resource | Kind | Property | Now | After up |", "|---|---|---|---|---|");
      for (const c of updates) {
        for (const p of c.properties) {
          out.push(
            `| ${code(c.resource)} | ${c.kind} | ${code(p.property)} | ${code(shown(p.before))} | ${code(shown(p.after))} |`,
          );
        }
      }
      out.push("");
    }
    const created = r.creates.filter((c) => c.kind !== "ReachBackUser");
    if (created.length > 0) {
      out.push(`Created: ${created.map((c) => `${code(c.resource)} (${c.kind})`).join(", ")}.`, "");
    }
    if (r.wave) {
      out.push(`Wave: ${count(r.wave.length, "user")}.`, "");
      out.push(
        "| Source user | Target address | Routing address | Mailbox migration | Change | Preconditions |",
        "|---|---|---|---|---|---|",
      );
      for (const u of r.wave) {
        out.push(
          `| ${code(u.sourceUserPrincipalName)} | ${code(u.targetEmailAddress)} | ${code(u.coexRoutingAddress)} | ${u.mailboxMigration} | ${u.change} | ${preconditions(u)} |`,
        );
      }
      out.push("");
    }
    if (r.warnings.length > 0) {
      out.push("The preview warned:", "");
      for (const w of r.warnings) out.push(...quoteBlock(w));
      out.push("");
    }
    if (r.creates.length + r.updates.length + r.replaces.length + r.deletes.length === 0) {
      out.push(`No changes (${count(r.unchanged, "resource")} unchanged).`, "");
    }
  }
  return out;
}
