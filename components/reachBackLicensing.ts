// ReachBackLicensing: one ReachBackLicenseGroup per entry of the reviewed license-group mapping,
// and the mapping (original group id → reach-back group id) the wave stacks read.
import * as pulumi from "@pulumi/pulumi";
import type { LicenseGroupsConfig } from "../lib/config/licenseGroups";
import { ReachBackLicenseGroup } from "../providers/reachBackLicenseGroup";

export interface ReachBackLicensingArgs {
  licenseGroups: LicenseGroupsConfig;
}

/** A readable, stable resource name per original group (its id keeps it unique). */
export function resourceNameFor(originalGroupName: string, originalGroupId: string): string {
  const slug = originalGroupName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 40);
  return `reachback-${slug || "group"}-${originalGroupId.slice(0, 8)}`;
}

export class ReachBackLicensing extends pulumi.ComponentResource {
  readonly groups: ReachBackLicenseGroup[];
  /** original license group id → reach-back group id */
  readonly mapping: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: ReachBackLicensingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("entra-coexistence:index:ReachBackLicensing", name, {}, opts);
    const { mappings, forceDisable, neverDisable } = args.licenseGroups;
    this.groups = mappings.map(
      (m) =>
        new ReachBackLicenseGroup(
          resourceNameFor(m.originalGroupName, m.originalGroupId),
          { tenant: "source", mapping: m, forceDisable, neverDisable },
          { parent: this },
        ),
    );
    this.mapping = pulumi
      .all(this.groups.map((g) => g.groupId))
      .apply((ids) => Object.fromEntries(mappings.map((m, i) => [m.originalGroupId, ids[i]])));
    this.registerOutputs({ mapping: this.mapping });
  }
}
