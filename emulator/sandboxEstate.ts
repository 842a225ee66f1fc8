// The sandbox's source tenant as an identity team finds it before reach-back: group-based
// licensing already in place, on the license group synced from AD and on a cloud license group.
// Done through Graph as the tenant's deploying app, like any administrator's script.
import type { GraphClient } from "../lib/graph/client";
import { SKU_FIXTURES } from "./skus";

export async function seedLicenseGroups(graph: GraphClient): Promise<void> {
  const byName = async (name: string) =>
    (
      await graph.list<{ id: string; assignedLicenses: unknown[] }>(
        `/groups?$filter=displayName eq '${name}'&$select=id,assignedLicenses`,
      )
    )[0];
  const assign = async (groupId: string, skuId: string, disabledPlans: string[]) =>
    graph.post(`/groups/${groupId}/assignLicense`, {
      addLicenses: [{ skuId, disabledPlans }],
      removeLicenses: [],
    });

  const synced = await byName("LIC-M365-E5");
  if (synced && synced.assignedLicenses.length === 0) await assign(synced.id, SKU_FIXTURES.SPE_E5.skuId, []);

  let cloud = await byName("LIC-Cloud-E3");
  if (!cloud) {
    cloud = await graph.post("/groups", {
      displayName: "LIC-Cloud-E3",
      mailEnabled: false,
      mailNickname: "LIC-Cloud-E3",
      securityEnabled: true,
      description: "Microsoft 365 E3 (group-based licensing)",
    });
    const teams = SKU_FIXTURES.SPE_E3.servicePlans.find((p) => p.servicePlanName === "TEAMS1");
    await assign(cloud.id, SKU_FIXTURES.SPE_E3.skuId, teams ? [teams.servicePlanId] : []);
  }
}
