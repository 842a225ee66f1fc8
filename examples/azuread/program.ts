// A program in which @pulumi/azuread owns the automation's app registration and the groups, and
// this project's resources take them by id or output. azuread creates what it models well (an app,
// its service principal, grants, certificates, security groups and their owners); ours does what
// azuread has no resource for: a reach-back license group's licenses, with the scrubbing plans
// disabled, on a group azuread made. Under Pulumi's runtime mocks this runs with no plugin
// (test/unit/azureadExample.test.ts); for a real `pulumi up`, Pulumi downloads the azuread plugin.
import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import { AUTOMATION_GRAPH_PERMISSIONS } from "../../lib/config/automation";
import type { MappedLicense } from "../../lib/config/licenseGroups";
import { ReachBackLicenseGroup } from "../../providers/reachBackLicenseGroup";

/** Microsoft Graph's application (client) id, the same in every tenant. */
export const MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

export interface AzureadExampleArgs {
  /** Display name of the original cloud license group (its licenses are assigned elsewhere:
   * azuread 6.x has no license resource). */
  originalGroupName: string;
  reachBackGroupName: string;
  /** The original group's licenses, as `coex discover` writes them into a mapping. */
  licenses: MappedLicense[];
  /** The automation's public certificate (PEM), not its key. */
  automationCertificatePem: string;
  automationDisplayName?: string;
}

export function azureadExample(args: AzureadExampleArgs) {
  const deployer = azuread.getClientConfigOutput();
  const graph = azuread.getServicePrincipalOutput({ clientId: MICROSOFT_GRAPH_APP_ID });

  // The automation's identity, owned by azuread: certificate only (no password), and exactly the
  // two Graph application permissions this project's AutomationApp would grant.
  const app = new azuread.Application("automation", {
    displayName: args.automationDisplayName ?? "B2B Reach-Back Automation",
    signInAudience: "AzureADMyOrg",
  });
  const sp = new azuread.ServicePrincipal("automation", { clientId: app.clientId });
  new azuread.ApplicationCertificate("automation", {
    applicationId: app.id,
    type: "AsymmetricX509Cert",
    value: args.automationCertificatePem,
    endDateRelative: "8760h",
  });
  const grants = AUTOMATION_GRAPH_PERMISSIONS.map(
    (permission) =>
      new azuread.AppRoleAssignment(`automation-${permission}`, {
        appRoleId: graph.appRoleIds.apply((ids) => {
          const id = ids[permission];
          if (!id) throw new Error(`Microsoft Graph has no application permission ${permission}`);
          return id;
        }),
        principalObjectId: sp.objectId,
        resourceObjectId: graph.objectId,
      }),
  );

  // The groups, owned by azuread. The automation's service principal owns both, as AutomationApp's
  // ownedGroupIds would make it: with User.ReadWrite.All alone, owning a group is what lets it
  // move users in and out.
  const owners = [deployer.objectId, sp.objectId];
  const original = new azuread.Group("original", {
    displayName: args.originalGroupName,
    securityEnabled: true,
    owners,
  });
  const reachBack = new azuread.Group("reachback", {
    displayName: args.reachBackGroupName,
    securityEnabled: true,
    owners,
    description: `B2B reach-back licenses of ${args.originalGroupName}, without the plans that trigger proxy scrubbing`,
  });

  // Ours: the licenses of the reach-back group. It finds azuread's group by name and adopts it, so
  // destroy never deletes it (only licenses this resource assigned are taken away), and the
  // original group comes in by id, as an output.
  const licensing = new ReachBackLicenseGroup(
    "reachback-licenses",
    {
      tenant: "source",
      mapping: pulumi
        .all([original.objectId, original.displayName, reachBack.displayName])
        .apply(([originalGroupId, originalGroupName, reachBackGroupName]) => ({
          originalGroupId,
          originalGroupName,
          source: "cloud" as const,
          reachBackGroupName,
          licenses: args.licenses,
        })),
    },
    // Adoption by name needs the group to exist first.
    { dependsOn: [reachBack] },
  );

  return {
    automationClientId: app.clientId,
    automationServicePrincipalId: sp.objectId,
    grants,
    originalGroupId: original.objectId,
    reachBackGroupId: licensing.groupId,
    licensing,
  };
}
