// Graph calls for license groups, in one place. Permissions: Group.ReadWrite.All (create, delete,
// members), LicenseAssignment.ReadWrite.All or Group.ReadWrite.All (assignLicense),
// Organization.Read.All (subscribedSkus). Creates and license changes return once Graph reads them
// back (lib/graph/consistency.ts), so that the caller's next read or write finds them.
import { type GraphClient, GraphRequestError, odataString } from "../graph/client";
import { eventually, lookUp } from "../graph/consistency";

export interface AssignedLicense {
  skuId: string;
  disabledPlans: string[];
}

export interface LicenseGroup {
  id: string;
  displayName: string;
  onPremisesSyncEnabled: boolean | null;
  assignedLicenses: AssignedLicense[];
  processingState: string | null;
}

export interface SubscribedSku {
  skuId: string;
  skuPartNumber: string;
  servicePlans: Array<{ servicePlanId: string; servicePlanName: string; appliesTo?: string }>;
  prepaidUnits?: { enabled: number };
  consumedUnits?: number;
}

const GROUP_SELECT = "$select=id,displayName,onPremisesSyncEnabled,assignedLicenses,licenseProcessingState";

/** Licenses in a canonical form: lower-case ids, sorted, so that comparisons are stable. */
export function canonicalLicenses(licenses: readonly AssignedLicense[]): AssignedLicense[] {
  return licenses
    .map((l) => ({
      skuId: l.skuId.toLowerCase(),
      disabledPlans: [...l.disabledPlans].map((p) => p.toLowerCase()).sort(),
    }))
    .sort((a, b) => a.skuId.localeCompare(b.skuId));
}

function toGroup(g: Record<string, unknown>): LicenseGroup {
  const state = g.licenseProcessingState as { state?: string } | null | undefined;
  return {
    id: String(g.id),
    displayName: String(g.displayName),
    onPremisesSyncEnabled: (g.onPremisesSyncEnabled as boolean | null | undefined) ?? null,
    assignedLicenses: canonicalLicenses((g.assignedLicenses as AssignedLicense[] | undefined) ?? []),
    processingState: state?.state ?? null,
  };
}

export async function readGroup(graph: GraphClient, id: string): Promise<LicenseGroup | undefined> {
  const g = await graph.getOptional<Record<string, unknown>>(`/groups/${id}?${GROUP_SELECT}`);
  return g ? toGroup(g) : undefined;
}

/** Groups with this exact display name (Graph matches case-insensitively). */
export async function findGroupsByName(graph: GraphClient, displayName: string): Promise<LicenseGroup[]> {
  const found = await graph.list<Record<string, unknown>>(
    `/groups?$filter=displayName eq ${odataString(displayName)}&${GROUP_SELECT}`,
  );
  return found.map(toGroup);
}

/** Every group that assigns at least one license (read whole: the filter on assignedLicenses
 * is an advanced query not every tenant answers the same way). */
export async function listLicenseGroups(graph: GraphClient): Promise<LicenseGroup[]> {
  const all = await graph.list<Record<string, unknown>>(`/groups?${GROUP_SELECT}&$top=999`);
  return all.map(toGroup).filter((g) => g.assignedLicenses.length > 0);
}

/** Creates a security group, for a caller that found no group of this name, and returns once
 * Graph reads it back by id. A create that Graph answers 503/504 may have been committed: the
 * group is then looked up by name before the create is sent again, so there is never a second. */
export async function createSecurityGroup(
  graph: GraphClient,
  displayName: string,
  description: string,
): Promise<LicenseGroup> {
  const mailNickname = displayName.replace(/[^A-Za-z0-9._-]/g, "").slice(0, 64) || "reachback";
  const byName = async () =>
    (
      await graph.list<Record<string, unknown>>(
        `/groups?$filter=displayName eq ${odataString(displayName)}&${GROUP_SELECT}`,
      )
    )[0];
  const g = await graph.post<Record<string, unknown>>(
    "/groups",
    { displayName, description, mailEnabled: false, mailNickname, securityEnabled: true },
    { retry: { lookup: () => lookUp(`group ${displayName}`, byName, graph.consistency) } },
  );
  const group = toGroup(g);
  await eventually(
    `the new group ${displayName} (${group.id})`,
    () => readGroup(graph, group.id),
    graph.consistency,
  );
  return group;
}

/** Whether the group's licenses show the change: every SKU of `add` with its disabled plans, and
 * none of `remove`. */
function showsChange(
  group: LicenseGroup,
  add: readonly AssignedLicense[],
  remove: readonly string[],
): boolean {
  const has = (l: AssignedLicense) =>
    group.assignedLicenses.some(
      (g) => g.skuId === l.skuId && JSON.stringify(g.disabledPlans) === JSON.stringify(l.disabledPlans),
    );
  const removed = remove.map((r) => r.toLowerCase());
  return canonicalLicenses(add).every(has) && !group.assignedLicenses.some((g) => removed.includes(g.skuId));
}

/** One assignLicense call: SKUs in `add` are added or have their disabled plans replaced in place
 * (members keep the license throughout); SKUs in `remove` are removed. Returns once the group reads
 * back with the change (its members' licenses are processed later: waitForLicenseProcessing). */
export async function assignLicenses(
  graph: GraphClient,
  groupId: string,
  add: readonly AssignedLicense[],
  remove: readonly string[],
): Promise<void> {
  if (add.length === 0 && remove.length === 0) return;
  // Sent twice, the same body sets the same licenses: safe to repeat after a 503/504.
  await graph.post(
    `/groups/${groupId}/assignLicense`,
    {
      addLicenses: add.map((l) => ({ skuId: l.skuId, disabledPlans: l.disabledPlans })),
      removeLicenses: [...remove],
    },
    { retry: "idempotent" },
  );
  await eventually(
    `the licenses just assigned to group ${groupId}`,
    async () => {
      const g = await readGroup(graph, groupId);
      return g && showsChange(g, add, remove) ? g : undefined;
    },
    graph.consistency,
  );
}

/** Renames a cloud group and returns once it reads back with the new name. */
export async function renameGroup(graph: GraphClient, groupId: string, displayName: string): Promise<void> {
  await graph.patch(`/groups/${groupId}`, { displayName });
  await eventually(
    `group ${groupId} renamed to ${displayName}`,
    async () => {
      const g = await readGroup(graph, groupId);
      return g?.displayName === displayName ? g : undefined;
    },
    graph.consistency,
  );
}

/** Deletes the group (gone already is fine) and returns once Graph no longer finds it, so that a
 * create of the same name that follows (a replacement) does not find it instead. */
export async function deleteGroup(graph: GraphClient, groupId: string): Promise<void> {
  try {
    await graph.delete(`/groups/${groupId}`);
  } catch (e) {
    if (!(e instanceof GraphRequestError && e.status === 404)) throw e;
  }
  await eventually(
    `group ${groupId} deleted`,
    async () => ((await readGroup(graph, groupId)) ? undefined : true),
    graph.consistency,
  );
}

export async function countMembers(graph: GraphClient, groupId: string): Promise<number> {
  return (await graph.list(`/groups/${groupId}/members?$select=id&$top=999`)).length;
}

export async function listSubscribedSkus(graph: GraphClient): Promise<SubscribedSku[]> {
  return graph.list<SubscribedSku>("/subscribedSkus");
}

/** Waits until Graph has processed the group's licenses for its members. */
export async function waitForLicenseProcessing(
  graph: GraphClient,
  groupId: string,
  timeoutMs = 120_000,
  pollMs = 500,
): Promise<LicenseGroup> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const g = await readGroup(graph, groupId);
    if (!g) throw new Error(`group ${groupId} disappeared while its licenses were being processed`);
    if (g.processingState === "ProcessingComplete" || g.processingState === null) return g;
    if (Date.now() > deadline) {
      throw new Error(
        `group ${g.displayName} (${groupId}): license processing still ${g.processingState} after ${timeoutMs / 1000} s`,
      );
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
