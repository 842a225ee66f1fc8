// `coex discover`: reads the source tenant's subscribed SKUs and every group that assigns licenses,
// says which plans of each trigger proxy scrubbing and why, proposes the reach-back group, and
// merges the 1:1 mapping into the stack configuration for review (seed 000, "Identify Service
// Plans and Create License Groups for B2B Reach-Back", steps 2-7).
//
// Re-running it never drops a mapping on its own: a group it no longer sees (deleted, unlicensed
// for a day, or no longer needing a reach-back group) keeps its mapping, marked stale, so the next
// `pulumi up` keeps its reach-back group and the licenses of the users in it. Only
// `--prune-stale`, on mappings whose stale mark was already written and reviewed, removes them.
// It also lists what no reach-back group covers: users licensed by direct assignment, and SKUs
// that are not Enabled (licenses in grace after a volume-licensing remap, seed 000's warning).
import {
  type LicenseGroupMapping,
  type LicenseGroupsConfig,
  licenseGroupsConfigSchema,
  type StaleMark,
} from "../lib/config/licenseGroups";
import { CONFIG_NAMESPACE } from "../lib/config/stackConfig";
import { type GraphClient, GraphRequestError, graphClientFor } from "../lib/graph/client";
import {
  type LicenseGroup,
  listLicenseGroups,
  listSubscribedSkus,
  readGroup,
  type SubscribedSku,
} from "../lib/licensing/licenseGroupApi";
import { describeReason, scrubbingPlansOf } from "../lib/licensing/servicePlans";
import { pulumi, type StackRef, stackConfigOf } from "./stack";

/** subscribedSkus as Graph returns it: capabilityStatus is Enabled, Warning (in grace),
 * Suspended, Deleted or LockedOut. */
export type DiscoveredSku = SubscribedSku & { capabilityStatus?: string };

/** A user with the license states Graph computed (assignedByGroup null: a direct assignment). */
export interface LicensedUser {
  id: string;
  userPrincipalName: string;
  licenseAssignmentStates?: Array<{ skuId: string; assignedByGroup: string | null; state?: string }>;
}

/** What discovery makes of the tenant's license groups, before merging with the configuration. */
export interface GroupClassification {
  /** One mapping per group that needs a reach-back group (named by the configuration's pattern,
   * or the name already in the configuration). */
  proposed: LicenseGroupMapping[];
  /** Groups seen that need no reach-back group (by id), and why. */
  notNeeded: Map<string, string>;
  report: string[];
  /** Problems that make the discovery unusable: nothing is written. */
  errors: string[];
}

const lower = (s: string) => s.toLowerCase();

/** Pure: which of these groups need a reach-back group, with the plans that trigger scrubbing and why. */
export function classifyGroups(
  skus: DiscoveredSku[],
  groups: LicenseGroup[],
  current: LicenseGroupsConfig,
): GroupClassification {
  const overrides = { forceDisable: current.forceDisable, neverDisable: current.neverDisable };
  const originals = new Set(current.mappings.map((m) => lower(m.originalGroupId)));
  const reachBackNames = new Set(current.mappings.map((m) => lower(m.reachBackGroupName)));
  const [prefix, suffix] = current.namePattern.split("{name}");
  const looksReachBack = (name: string) =>
    reachBackNames.has(lower(name)) ||
    (name.length > prefix.length + suffix.length &&
      name.startsWith(prefix) &&
      name.endsWith(suffix) &&
      (prefix + suffix).length > 0);
  const report: string[] = [];
  const errors: string[] = [];
  const proposed: LicenseGroupMapping[] = [];
  const notNeeded = new Map<string, string>();
  for (const group of [...groups].sort((a, b) => a.displayName.localeCompare(b.displayName))) {
    // A group already mapped as an original is never taken for a reach-back group by its name.
    if (!originals.has(lower(group.id)) && looksReachBack(group.displayName)) continue;
    const origin = group.onPremisesSyncEnabled ? "synced from on-premises AD" : "cloud";
    const licenses: LicenseGroupMapping["licenses"] = [];
    const lines: string[] = [];
    let triggers = false;
    for (const assigned of group.assignedLicenses) {
      const sku = skus.find((s) => lower(s.skuId) === lower(assigned.skuId));
      if (!sku) {
        lines.push(`    ${assigned.skuId}: not among the tenant's subscribed SKUs`);
        errors.push(
          `group ${group.displayName} (${group.id}) assigns SKU ${assigned.skuId}, which the tenant's subscribedSkus does not list: ` +
            "check that subscription in the Microsoft 365 admin center, or remove the SKU from the group, then run coex discover again",
        );
        continue;
      }
      const triggering = scrubbingPlansOf(sku.servicePlans, overrides);
      const enabled = triggering.filter((p) => !assigned.disabledPlans.includes(lower(p.servicePlanId)));
      if (enabled.length > 0) triggers = true;
      const status =
        sku.capabilityStatus && sku.capabilityStatus !== "Enabled" ? ` [${sku.capabilityStatus}]` : "";
      lines.push(
        `    ${sku.skuPartNumber} (${sku.skuId})${status}: ${enabled.length} plan(s) that trigger proxy scrubbing`,
      );
      for (const p of enabled)
        lines.push(`      - ${p.servicePlanName} (${p.servicePlanId}): ${describeReason(p.reason)}`);
      licenses.push({
        skuId: lower(sku.skuId),
        skuPartNumber: sku.skuPartNumber,
        originalDisabledPlans: assigned.disabledPlans,
        scrubbingPlans: triggering.map((p) => lower(p.servicePlanId)).sort(),
      });
    }
    const existing = current.mappings.find((m) => lower(m.originalGroupId) === lower(group.id));
    const reachBackGroupName =
      existing?.reachBackGroupName ?? current.namePattern.replace("{name}", group.displayName);
    report.push(`${group.displayName} (${group.id}), ${origin}`);
    report.push(...lines);
    if (!triggers) {
      report.push("    no plan triggers proxy scrubbing: no reach-back group needed");
      notNeeded.set(lower(group.id), "no plan of its licenses triggers proxy scrubbing any more");
      continue;
    }
    report.push(
      `    → reach-back group: ${reachBackGroupName}` +
        (group.onPremisesSyncEnabled
          ? " (create it in AD beside the original; the stack adopts it once synced)"
          : " (created by the stack)"),
    );
    proposed.push({
      originalGroupId: lower(group.id),
      originalGroupName: group.displayName,
      source: group.onPremisesSyncEnabled ? "onPremises" : "cloud",
      reachBackGroupName,
      licenses,
    });
  }
  return { proposed, notNeeded, report, errors };
}

export type MappingChangeKind =
  | "added"
  | "updated"
  | "unchanged"
  | "unstale"
  | "stale"
  | "stillStale"
  | "pruned";

export interface MappingChange {
  kind: MappingChangeKind;
  originalGroupId: string;
  originalGroupName: string;
  reachBackGroupName: string;
  /** What changed (updated), or why the mapping is stale. */
  detail: string;
}

export interface MergeOptions {
  /** Today, YYYY-MM-DD: the `since` of a new stale mark. */
  today: string;
  /** Why a configured original group was not proposed (by lower-case id), when known. */
  missing?: Map<string, string>;
  /** Remove mappings that were already marked stale in the configuration and are still not seen:
   * all of them (true), or those with these original group ids. */
  prune?: boolean | string[];
}

export interface MergeResult {
  mappings: LicenseGroupMapping[];
  changes: MappingChange[];
  /** --prune-stale ids that name no mapping already marked stale and still unseen, and why. */
  refusedPrunes: string[];
}

/** Licenses compared whatever their order and case. */
function licenseKey(licenses: LicenseGroupMapping["licenses"]): string {
  return JSON.stringify(
    licenses
      .map((l) => ({
        skuId: lower(l.skuId),
        originalDisabledPlans: l.originalDisabledPlans.map(lower).sort(),
        scrubbingPlans: l.scrubbingPlans.map(lower).sort(),
      }))
      .sort((a, b) => a.skuId.localeCompare(b.skuId)),
  );
}

/**
 * Pure: the configured mappings merged with what discovery proposes. A mapping discovery still
 * proposes takes the discovered name, source and licenses and keeps everything else it has (the
 * reviewed reachBackGroupName, any other per-mapping setting); a new one is added; one discovery
 * no longer proposes is kept and marked stale (the first day it was missed is kept), so its
 * reach-back group is not destroyed. Only a mapping already marked stale before this run is
 * removed, and only when `prune` asks: a stale mark is written and reviewed before it can go.
 */
export function mergeMappings(
  current: readonly LicenseGroupMapping[],
  proposed: readonly LicenseGroupMapping[],
  options: MergeOptions,
): MergeResult {
  const byId = new Map(proposed.map((p) => [lower(p.originalGroupId), p]));
  const pruneIds = Array.isArray(options.prune) ? new Set(options.prune.map(lower)) : undefined;
  const mappings: LicenseGroupMapping[] = [];
  const changes: MappingChange[] = [];
  const change = (kind: MappingChangeKind, m: LicenseGroupMapping, detail = "") =>
    changes.push({
      kind,
      originalGroupId: m.originalGroupId,
      originalGroupName: m.originalGroupName,
      reachBackGroupName: m.reachBackGroupName,
      detail,
    });
  for (const m of current) {
    const id = lower(m.originalGroupId);
    const seen = byId.get(id);
    if (seen) {
      byId.delete(id);
      const { stale, ...kept } = m;
      const merged: LicenseGroupMapping = {
        ...kept,
        originalGroupName: seen.originalGroupName,
        source: seen.source,
        licenses: seen.licenses,
      };
      const what = [
        ...(m.originalGroupName !== seen.originalGroupName
          ? [`renamed ${m.originalGroupName} → ${seen.originalGroupName}`]
          : []),
        ...(m.source !== seen.source ? [`source ${m.source} → ${seen.source}`] : []),
        ...(licenseKey(m.licenses) !== licenseKey(seen.licenses) ? ["licenses"] : []),
      ];
      mappings.push(merged);
      if (stale) change("unstale", merged, what.join(", "));
      else change(what.length > 0 ? "updated" : "unchanged", merged, what.join(", "));
      continue;
    }
    const reason = options.missing?.get(id) ?? "not among the tenant's groups that assign licenses";
    const prune = m.stale !== undefined && (options.prune === true || pruneIds?.has(id) === true);
    if (prune) {
      change("pruned", m, reason);
      continue;
    }
    const mark: StaleMark = { since: m.stale?.since ?? options.today, reason };
    mappings.push({ ...m, stale: mark });
    change(m.stale ? "stillStale" : "stale", { ...m, stale: mark }, reason);
  }
  for (const p of proposed) {
    if (!byId.has(lower(p.originalGroupId))) continue;
    mappings.push(p);
    change("added", p);
  }
  const refusedPrunes: string[] = [];
  for (const id of pruneIds ?? []) {
    const c = changes.find((x) => lower(x.originalGroupId) === id);
    if (!c) refusedPrunes.push(`${id}: no mapping has this original group id`);
    else if (c.kind === "stale")
      refusedPrunes.push(
        `${id} (${c.originalGroupName}): marked stale only now; write and review the mark, then prune it`,
      );
    else if (c.kind !== "pruned")
      refusedPrunes.push(`${id} (${c.originalGroupName}): not stale, discover still sees the group`);
  }
  return { mappings, changes, refusedPrunes };
}

/** Pure: a line per change, for people reviewing what --write stores. */
export function describeChanges(changes: readonly MappingChange[]): string[] {
  const lines: string[] = [];
  for (const c of changes) {
    const who = `${c.originalGroupName} (${c.originalGroupId})`;
    switch (c.kind) {
      case "added":
        lines.push(`  + ${who}: new mapping → ${c.reachBackGroupName}`);
        break;
      case "updated":
        lines.push(`  ~ ${who}: updated (${c.detail}); reach-back group ${c.reachBackGroupName} kept`);
        if (c.detail.includes("renamed"))
          lines.push(
            "    the original group was renamed: the stack names the resource after it; check in `pulumi preview` that nothing is replaced",
          );
        break;
      case "unchanged":
        lines.push(`  = ${who}: unchanged`);
        break;
      case "unstale":
        lines.push(
          `  ~ ${who}: seen again, no longer stale${c.detail ? ` (updated: ${c.detail})` : ""}; reach-back group ${c.reachBackGroupName} kept`,
        );
        break;
      case "stale":
      case "stillStale":
        lines.push(
          `  ! ${who}: stale (${c.detail}); kept with its reach-back group ${c.reachBackGroupName}, whose members keep their licenses.` +
            (c.kind === "stale"
              ? " Review the mark; once written, `coex discover --write --prune-stale` removes the mapping"
              : " `coex discover --write --prune-stale` removes the mapping"),
        );
        break;
      case "pruned":
        lines.push(
          `  - ${who}: stale (${c.detail}); removed (--prune-stale): the next pulumi up removes the ReachBackLicenseGroup of ${c.reachBackGroupName} (pulumi preview shows it); move its members back to their original license group first`,
        );
        break;
    }
  }
  return lines;
}

/** Pure: SKUs that are not Enabled, with seed 000's warning on licenses left in grace. */
export function skuStatusReport(skus: readonly DiscoveredSku[]): string[] {
  const notEnabled = skus.filter((s) => s.capabilityStatus && s.capabilityStatus !== "Enabled");
  if (notEnabled.length === 0) return [];
  return [
    `warning: ${notEnabled.length} SKU(s) not Enabled:`,
    ...notEnabled.map((s) => `  ${s.skuPartNumber} (${s.skuId}): capabilityStatus ${s.capabilityStatus}`),
    "  Seed 000: after a volume-licensing (VL) remap to the target, source licenses are left in grace;",
    "  service plan changes on grace licenses may not be possible, and revoked licenses may not be",
    "  reassignable. Test moving a user who holds such a license from its license group to the",
    "  reach-back group before any wave, and check the user keeps the license.",
  ];
}

/** Pure: users licensed by direct assignment, per SKU (count and a few UPNs): no reach-back group
 * covers them, they need per-user handling (seed 000, "Direct assignment"). */
export function directAssignmentReport(
  users: readonly LicensedUser[],
  skus: readonly DiscoveredSku[],
  overrides: { forceDisable: string[]; neverDisable: string[] },
  examples = 3,
): string[] {
  const bySku = new Map<string, string[]>();
  for (const u of users) {
    const direct = new Set(
      (u.licenseAssignmentStates ?? []).filter((s) => s.assignedByGroup === null).map((s) => lower(s.skuId)),
    );
    for (const skuId of direct) bySku.set(skuId, [...(bySku.get(skuId) ?? []), u.userPrincipalName]);
  }
  if (bySku.size === 0) return ["no user is licensed by direct assignment"];
  const lines = [
    "users licensed by direct assignment (not through a group): no reach-back group covers them; each needs",
    'per-user handling (seed 000, "Direct assignment": disable the plans on the user\'s own assignment):',
  ];
  for (const [skuId, upns] of [...bySku].sort((a, b) => b[1].length - a[1].length)) {
    const sku = skus.find((s) => lower(s.skuId) === skuId);
    const plans = sku ? scrubbingPlansOf(sku.servicePlans, overrides).length : undefined;
    const sorted = [...upns].sort();
    lines.push(
      `  ${sku?.skuPartNumber ?? "unknown SKU"} (${skuId}): ${upns.length} user(s), e.g. ${sorted.slice(0, examples).join(", ")}` +
        (sorted.length > examples ? ", …" : "") +
        (plans === undefined ? "" : `; the SKU has ${plans} plan(s) that trigger proxy scrubbing`),
    );
  }
  return lines;
}

export interface DiscoverOptions {
  write: boolean;
  /** --prune-stale: true for every mapping already marked stale, or original group ids. */
  pruneStale?: boolean | string[];
  /** YYYY-MM-DD; default today (UTC). */
  today?: string;
}

/** Why each configured original group that is not among the licensed groups is missing. */
async function missingReasons(
  graph: GraphClient,
  current: LicenseGroupsConfig,
  groups: LicenseGroup[],
): Promise<Map<string, string>> {
  const listed = new Set(groups.map((g) => lower(g.id)));
  const reasons = new Map<string, string>();
  for (const m of current.mappings) {
    const id = lower(m.originalGroupId);
    if (listed.has(id)) continue;
    const group = await readGroup(graph, id);
    reasons.set(
      id,
      group
        ? `the group ${group.displayName} assigns no license any more`
        : "the group no longer exists in the tenant",
    );
  }
  return reasons;
}

async function licensedUsers(graph: GraphClient): Promise<LicensedUser[]> {
  return graph.list<LicensedUser>("/users?$select=id,userPrincipalName,licenseAssignmentStates&$top=999");
}

export async function discover(
  ref: StackRef,
  options: DiscoverOptions,
  out: (line: string) => void,
): Promise<LicenseGroupsConfig> {
  const config = stackConfigOf(ref);
  const current = config.licenseGroups;
  const graph = graphClientFor(config.source, config.cloud);
  const [skus, groups] = await Promise.all([
    listSubscribedSkus(graph) as Promise<DiscoveredSku[]>,
    listLicenseGroups(graph),
  ]);
  out(
    `source tenant ${config.source.tenantId}: ${skus.length} subscribed SKU(s), ${groups.length} group(s) assigning licenses`,
  );
  const classified = classifyGroups(skus, groups, current);
  for (const line of classified.report) out(line);
  for (const line of skuStatusReport(skus)) out(line);
  try {
    for (const line of directAssignmentReport(await licensedUsers(graph), skus, current)) out(line);
  } catch (e) {
    if (!(e instanceof GraphRequestError && e.status === 403)) throw e;
    out(
      `warning: could not read users to list direct license assignments (${e.message}): grant the deploying app User.Read.All`,
    );
  }
  if (classified.errors.length > 0) {
    throw new Error(`discovery is incomplete, nothing was written:\n  - ${classified.errors.join("\n  - ")}`);
  }
  const missing = await missingReasons(graph, current, groups);
  for (const [id, reason] of classified.notNeeded) missing.set(id, reason);
  const merged = mergeMappings(current.mappings, classified.proposed, {
    today: options.today ?? new Date().toISOString().slice(0, 10),
    missing,
    prune: options.pruneStale,
  });
  if (merged.refusedPrunes.length > 0) {
    throw new Error(`--prune-stale: nothing was written:\n  - ${merged.refusedPrunes.join("\n  - ")}`);
  }
  const checked = licenseGroupsConfigSchema.safeParse({ ...current, mappings: merged.mappings });
  if (!checked.success) {
    throw new Error(
      `the merged mapping is not valid, nothing was written: ${checked.error.issues
        .map((i) => `licenseGroups.${i.path.join(".")}: ${i.message}`)
        .join("; ")}`,
    );
  }
  const proposed = checked.data;
  out(`mappings against ${CONFIG_NAMESPACE}:licenseGroups of stack ${ref.stack}:`);
  for (const line of describeChanges(merged.changes)) out(line);
  const count = (kind: MappingChangeKind) => merged.changes.filter((c) => c.kind === kind).length;
  const stale = count("stale") + count("stillStale");
  if (options.pruneStale && count("pruned") === 0)
    out("  --prune-stale: no mapping was already marked stale");
  if (options.write) {
    pulumi(
      [
        "config",
        "set-all",
        "--json",
        JSON.stringify({
          [`${CONFIG_NAMESPACE}:licenseGroups`]: { value: JSON.stringify(proposed), objectValue: proposed },
        }),
      ],
      ref,
    );
    out(
      `wrote ${proposed.mappings.length} mapping(s) (${stale} stale, ${count("pruned")} removed) to ${CONFIG_NAMESPACE}:licenseGroups of stack ${ref.stack}: review and commit it`,
    );
  } else {
    out(`${CONFIG_NAMESPACE}:licenseGroups (use --write to store it in the stack configuration):`);
    out(JSON.stringify(proposed, null, 2));
  }
  return proposed;
}
