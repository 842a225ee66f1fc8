// `coex discover`: reads the source tenant's subscribed SKUs and every group that assigns licenses,
// says which plans of each trigger proxy scrubbing and why, proposes the reach-back group, and
// writes the 1:1 mapping into the stack configuration for review (seed 000, "Identify Service
// Plans and Create License Groups for B2B Reach-Back", steps 2-7).
import type { LicenseGroupMapping, LicenseGroupsConfig } from "../lib/config/licenseGroups";
import { CONFIG_NAMESPACE } from "../lib/config/stackConfig";
import { graphClientFor } from "../lib/graph/client";
import {
  type LicenseGroup,
  listLicenseGroups,
  listSubscribedSkus,
  type SubscribedSku,
} from "../lib/licensing/licenseGroupApi";
import { describeReason, scrubbingPlansOf } from "../lib/licensing/servicePlans";
import { pulumi, type StackRef, stackConfigOf } from "./stack";

export interface Discovery {
  config: LicenseGroupsConfig;
  report: string[];
}

/** Pure: the mapping and the report for these SKUs and groups. */
export function proposeMappings(
  skus: SubscribedSku[],
  groups: LicenseGroup[],
  current: LicenseGroupsConfig,
): Discovery {
  const overrides = { forceDisable: current.forceDisable, neverDisable: current.neverDisable };
  const reachBackNames = new Set(current.mappings.map((m) => m.reachBackGroupName.toLowerCase()));
  const [prefix, suffix] = current.namePattern.split("{name}");
  const looksReachBack = (name: string) =>
    reachBackNames.has(name.toLowerCase()) ||
    (name.length > prefix.length + suffix.length &&
      name.startsWith(prefix) &&
      name.endsWith(suffix) &&
      (prefix + suffix).length > 0);
  const report: string[] = [];
  const mappings: LicenseGroupMapping[] = [];
  for (const group of [...groups].sort((a, b) => a.displayName.localeCompare(b.displayName))) {
    if (looksReachBack(group.displayName)) continue;
    const origin = group.onPremisesSyncEnabled ? "synced from on-premises AD" : "cloud";
    const licenses: LicenseGroupMapping["licenses"] = [];
    const lines: string[] = [];
    for (const assigned of group.assignedLicenses) {
      const sku = skus.find((s) => s.skuId.toLowerCase() === assigned.skuId);
      if (!sku) {
        lines.push(`    ${assigned.skuId}: not among the tenant's subscribed SKUs`);
        continue;
      }
      const triggering = scrubbingPlansOf(sku.servicePlans, overrides);
      const enabled = triggering.filter(
        (p) => !assigned.disabledPlans.includes(p.servicePlanId.toLowerCase()),
      );
      lines.push(
        `    ${sku.skuPartNumber} (${sku.skuId}): ${enabled.length} plan(s) that trigger proxy scrubbing`,
      );
      for (const p of enabled)
        lines.push(`      - ${p.servicePlanName} (${p.servicePlanId}): ${describeReason(p.reason)}`);
      licenses.push({
        skuId: sku.skuId.toLowerCase(),
        skuPartNumber: sku.skuPartNumber,
        originalDisabledPlans: assigned.disabledPlans,
        scrubbingPlans: triggering.map((p) => p.servicePlanId.toLowerCase()).sort(),
      });
    }
    const triggers = lines.some((l) => /: [1-9]\d* plan\(s\)/.test(l));
    const existing = current.mappings.find((m) => m.originalGroupId === group.id.toLowerCase());
    const reachBackGroupName =
      existing?.reachBackGroupName ?? current.namePattern.replace("{name}", group.displayName);
    report.push(`${group.displayName} (${group.id}), ${origin}`);
    report.push(...lines);
    if (!triggers) {
      report.push("    no plan triggers proxy scrubbing: no reach-back group needed");
      continue;
    }
    report.push(
      `    → reach-back group: ${reachBackGroupName}` +
        (group.onPremisesSyncEnabled
          ? " (create it in AD beside the original; the stack adopts it once synced)"
          : " (created by the stack)"),
    );
    mappings.push({
      originalGroupId: group.id.toLowerCase(),
      originalGroupName: group.displayName,
      source: group.onPremisesSyncEnabled ? "onPremises" : "cloud",
      reachBackGroupName,
      licenses,
    });
  }
  return { config: { ...current, mappings }, report };
}

export async function discover(
  ref: StackRef,
  write: boolean,
  out: (line: string) => void,
): Promise<LicenseGroupsConfig> {
  const config = stackConfigOf(ref);
  const graph = graphClientFor(config.source, config.cloud);
  const [skus, groups] = await Promise.all([listSubscribedSkus(graph), listLicenseGroups(graph)]);
  const { config: proposed, report } = proposeMappings(skus, groups, config.licenseGroups);
  out(
    `source tenant ${config.source.tenantId}: ${skus.length} subscribed SKU(s), ${groups.length} group(s) assigning licenses`,
  );
  for (const line of report) out(line);
  const value = JSON.stringify(proposed);
  if (write) {
    pulumi(
      [
        "config",
        "set-all",
        "--json",
        JSON.stringify({ [`${CONFIG_NAMESPACE}:licenseGroups`]: { value, objectValue: proposed } }),
      ],
      ref,
    );
    out(
      `wrote ${proposed.mappings.length} mapping(s) to ${CONFIG_NAMESPACE}:licenseGroups of stack ${ref.stack}: review and commit it`,
    );
  } else {
    out(`${CONFIG_NAMESPACE}:licenseGroups (use --write to store it in the stack configuration):`);
    out(JSON.stringify(proposed, null, 2));
  }
  return proposed;
}
