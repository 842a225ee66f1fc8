// Licenses assigned to a user directly, not through a group (issue 10, step 3). Such a license
// cannot be moved to a reach-back group, so the plans of its SKU that trigger proxy scrubbing
// (the product's catalogue, lib/licensing/servicePlans.ts, as the reach-back license groups use
// it) are added to the disabled plans of the user's own assignment, all SKUs in one
// assignLicense, and rollbackOnDelete puts the disabled plans back exactly as the journal found
// them. The pure functions decide; the others read and write through userApi.ts and
// licenseGroupApi.ts.

import { allPages } from "../graph/batch";
import type { GraphClient } from "../graph/client";
import { coalescerFor } from "../graph/coalesce";
import type { DirectLicense, StepName, StepWrites } from "../journal/records";
import { listSubscribedSkus, type SubscribedSku } from "../licensing/licenseGroupApi";
import { type ServicePlanRef, scrubbingPlansOf } from "../licensing/servicePlans";
import { assignUserLicense, type CloudUser } from "./userApi";

/** One SKU the user holds directly, with the plans its assignment disables (lower-case, sorted). */
export interface DirectAssignment {
  skuId: string;
  disabledPlans: string[];
}

const lower = (s: string) => s.toLowerCase();
const sortedIds = (ids: readonly string[]) => [...new Set(ids.map(lower))].sort();
const sameIds = (a: readonly string[], b: readonly string[]) =>
  JSON.stringify(sortedIds(a)) === JSON.stringify(sortedIds(b));

/** The user's direct assignments: licenseAssignmentStates without an assigning group. */
export function directAssignments(u: Pick<CloudUser, "licenseAssignmentStates">): DirectAssignment[] {
  const bySku = new Map<string, string[]>();
  for (const s of u.licenseAssignmentStates) {
    if (s.assignedByGroup === null) bySku.set(lower(s.skuId), sortedIds(s.disabledPlans));
  }
  return [...bySku].map(([skuId, disabledPlans]) => ({ skuId, disabledPlans }));
}

function skuOf(skus: readonly SubscribedSku[], skuId: string): SubscribedSku | undefined {
  return skus.find((s) => lower(s.skuId) === lower(skuId));
}

/** The plans of the SKU that trigger proxy scrubbing, by the catalogue (ids lower-case). */
export function scrubbingPlansOfSku(sku: SubscribedSku): ServicePlanRef[] {
  return scrubbingPlansOf(sku.servicePlans).map((p) => ({
    servicePlanId: lower(p.servicePlanId),
    servicePlanName: p.servicePlanName,
  }));
}

/** The SKUs assigned directly that the tenant's subscriptions do not list: their plans, and so
 * which of them trigger scrubbing, cannot be known. */
export function unknownSkus(
  assignments: readonly DirectAssignment[],
  skus: readonly SubscribedSku[],
): string[] {
  return assignments.filter((a) => !skuOf(skus, a.skuId)).map((a) => a.skuId);
}

/** A direct assignment that leaves plans enabled that trigger scrubbing, and its disabled plans
 * once they are disabled too. */
export interface DirectPlanChange {
  skuId: string;
  skuPartNumber: string;
  /** The union of the assignment's disabled plans and the SKU's scrubbing plans, sorted. */
  disabledPlans: string[];
  /** The scrubbing plans enabled now: what the change disables. */
  enabled: ServicePlanRef[];
}

/** For each direct assignment of a known SKU with a scrubbing plan enabled: the change. */
export function scrubbingPlanChanges(
  assignments: readonly DirectAssignment[],
  skus: readonly SubscribedSku[],
): DirectPlanChange[] {
  const out: DirectPlanChange[] = [];
  for (const a of assignments) {
    const sku = skuOf(skus, a.skuId);
    if (!sku) continue;
    const plans = scrubbingPlansOfSku(sku);
    const enabled = plans.filter((p) => !a.disabledPlans.includes(p.servicePlanId));
    if (enabled.length === 0) continue;
    out.push({
      skuId: a.skuId,
      skuPartNumber: sku.skuPartNumber,
      disabledPlans: sortedIds([...a.disabledPlans, ...plans.map((p) => p.servicePlanId)]),
      enabled,
    });
  }
  return out;
}

/** What is not as reach-back needs it on the direct assignments, one line per SKU, in words (for
 * verification and drift); empty when every scrubbing plan is disabled. */
export function directLicenseProblems(
  assignments: readonly DirectAssignment[],
  skus: readonly SubscribedSku[],
): string[] {
  const out = unknownSkus(assignments, skus).map(
    (id) =>
      `the direct license ${id} is not among the tenant's subscriptions, so its plans that trigger proxy scrubbing cannot be checked`,
  );
  for (const c of scrubbingPlanChanges(assignments, skus)) {
    out.push(
      `the direct license ${c.skuPartNumber} has plans enabled that trigger proxy scrubbing: ${c.enabled.map((p) => p.servicePlanName).join(", ")}`,
    );
  }
  return out;
}

/** Rollback: the journal's direct licenses against the assignments now. `write`: those whose
 * disabled plans differ from the record (to put back); `gone`: no longer assigned directly (left
 * as they are: re-assigning a license someone removed is not a rollback's business). */
export function restoreWrites(
  now: readonly DirectAssignment[],
  originals: readonly DirectLicense[],
): { write: DirectLicense[]; gone: DirectLicense[] } {
  const write: DirectLicense[] = [];
  const gone: DirectLicense[] = [];
  for (const o of originals) {
    const a = now.find((x) => x.skuId === lower(o.skuId));
    if (!a) gone.push(o);
    else if (!sameIds(a.disabledPlans, o.disabledPlans)) write.push(o);
  }
  return { write, gone };
}

// --- reads and writes --------------------------------------------------------------------

/** What the procedure's license step gives these functions. */
export interface DirectLicenseContext {
  graph: GraphClient;
  userId: string;
  /** The user read now. */
  readUser(): Promise<CloudUser>;
  /** Announces a write in the journal before it is made. */
  record(step: StepName, writes: StepWrites): Promise<void>;
  /** Called right before a write (the run then counts as one that wrote). */
  writing(): void;
  log(message: string): void;
  /** Reads until `read` answers, or fails at the license deadline with `hint`. */
  poll<T>(what: string, read: () => Promise<T | undefined>, hint: string): Promise<T>;
}

/** The tenant's SKUs, read only for a user who holds a license directly. */
export async function skusFor(
  graph: GraphClient,
  assignments: readonly DirectAssignment[],
): Promise<SubscribedSku[]> {
  if (assignments.length === 0) return [];
  // Every user with a direct license asks at once in a wave: one read answers them all.
  const first = await coalescerFor(graph).get<{ value?: SubscribedSku[] }>("/subscribedSkus");
  return allPages(graph, first);
}

/** The direct assignments' problems read now (see directLicenseProblems). */
export async function readDirectLicenseProblems(
  graph: GraphClient,
  u: Pick<CloudUser, "licenseAssignmentStates">,
): Promise<string[]> {
  const assignments = directAssignments(u);
  return directLicenseProblems(assignments, await skusFor(graph, assignments));
}

const names = (ls: ReadonlyArray<{ skuId: string; skuPartNumber?: string }>) =>
  ls.map((l) => l.skuPartNumber ?? l.skuId).join(", ");

/** Adds the scrubbing plans to the disabled plans of every direct assignment that lacks them, in
 * one assignLicense, journaled before, then waits until the user's license states show them.
 * Writes nothing when they are disabled already. */
export async function disableScrubbingPlans(ctx: DirectLicenseContext): Promise<void> {
  const assignments = directAssignments(await ctx.readUser());
  if (assignments.length === 0) return;
  const skus = await listSubscribedSkus(ctx.graph);
  const unknown = unknownSkus(assignments, skus);
  if (unknown.length > 0) {
    throw new Error(
      `the license ${unknown.join(", ")} assigned to the user directly is not among the source tenant's subscriptions (GET /subscribedSkus), ` +
        "so its plans that trigger proxy scrubbing cannot be known: remove that license from the user, or license the user through a group with a reach-back mapping",
    );
  }
  const changes = scrubbingPlanChanges(assignments, skus);
  if (changes.length === 0) return;
  await ctx.record("license.directPlansDisabled", {
    directLicenses: changes.map((c) => ({
      skuId: c.skuId,
      skuPartNumber: c.skuPartNumber,
      disabledPlans: c.disabledPlans,
    })),
  });
  ctx.log(
    `disabling the plans that trigger proxy scrubbing in the direct license ${changes
      .map((c) => `${c.skuPartNumber} (${c.enabled.map((p) => p.servicePlanName).join(", ")})`)
      .join("; ")}`,
  );
  ctx.writing();
  await assignUserLicense(ctx.graph, ctx.userId, changes);
  await ctx.poll(
    `the direct license ${names(changes)} to show the scrubbing plans disabled`,
    async () => {
      const now = directAssignments(await ctx.readUser());
      return changes.every((c) => {
        const a = now.find((x) => x.skuId === c.skuId);
        return a !== undefined && c.disabledPlans.every((p) => a.disabledPlans.includes(p));
      })
        ? true
        : undefined;
    },
    "Entra ID does not show the change yet (entra-coexistence:reachBack.licenseTimeoutSeconds)",
  );
}

/** Rollback: the disabled plans of each direct assignment a step changed back to exactly the
 * journal's record, in one assignLicense. Returns what was done, in words. */
export async function restoreDirectPlans(
  ctx: DirectLicenseContext,
  originals: readonly DirectLicense[],
): Promise<string[]> {
  if (originals.length === 0) return [];
  const { write, gone } = restoreWrites(directAssignments(await ctx.readUser()), originals);
  const done = gone.map(
    (g) =>
      `the direct license ${g.skuPartNumber ?? g.skuId} is no longer assigned to the user: left as it is`,
  );
  if (write.length === 0) return done;
  await ctx.record("rollback.license", { directLicenses: write });
  ctx.log(`putting back the disabled plans of the direct license ${names(write)} as found`);
  ctx.writing();
  await assignUserLicense(ctx.graph, ctx.userId, write);
  await ctx.poll(
    `the direct license ${names(write)} to show its disabled plans as found`,
    async () =>
      restoreWrites(directAssignments(await ctx.readUser()), write).write.length === 0 ? true : undefined,
    "Entra ID does not show the change yet (entra-coexistence:reachBack.licenseTimeoutSeconds)",
  );
  done.push(`the direct license ${names(write)}'s disabled plans put back as found`);
  return done;
}
