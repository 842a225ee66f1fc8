// Graph calls for license groups, in one place. Permissions: Group.ReadWrite.All (create, delete,
// members), LicenseAssignment.ReadWrite.All or Group.ReadWrite.All (assignLicense),
// Organization.Read.All (subscribedSkus).
import { type GraphClient, GraphRequestError, odataString } from "../graph/client";

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

export async function createSecurityGroup(
  graph: GraphClient,
  displayName: string,
  description: string,
): Promise<LicenseGroup> {
  const mailNickname = displayName.replace(/[^A-Za-z0-9._-]/g, "").slice(0, 64) || "reachback";
  const g = await graph.post<Record<string, unknown>>("/groups", {
    displayName,
    description,
    mailEnabled: false,
    mailNickname,
    securityEnabled: true,
  });
  return toGroup(g);
}

/** One assignLicense call: SKUs in `add` are added or have their disabled plans replaced in place
 * (members keep the license throughout); SKUs in `remove` are removed. */
export async function assignLicenses(
  graph: GraphClient,
  groupId: string,
  add: readonly AssignedLicense[],
  remove: readonly string[],
): Promise<void> {
  if (add.length === 0 && remove.length === 0) return;
  await graph.post(`/groups/${groupId}/assignLicense`, {
    addLicenses: add.map((l) => ({ skuId: l.skuId, disabledPlans: l.disabledPlans })),
    removeLicenses: [...remove],
  });
}

export async function deleteGroup(graph: GraphClient, groupId: string): Promise<void> {
  try {
    await graph.delete(`/groups/${groupId}`);
  } catch (e) {
    if (e instanceof GraphRequestError && e.status === 404) return;
    throw e;
  }
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
