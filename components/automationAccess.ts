// AutomationAccess: what the B2B reach-back automation may do, and nothing more (seed 000,
// "Provision Access for B2B Reach-Back Automation"): its app registration in the source tenant
// and, when it has an on-premises service account, that account's delegation in AD. A preview
// shows every right it gets: the permissions, the groups it owns, the attributes and OUs.
import * as pulumi from "@pulumi/pulumi";
import type { PublicCertificate } from "../lib/automation/certificates";
import {
  AUTOMATION_GRAPH_PERMISSIONS,
  type AutomationConfig,
  DELEGATED_USER_ATTRIBUTES,
} from "../lib/config/automation";
import { AutomationApp } from "../providers/automationApp";
import { DirectoryDelegation } from "../providers/directoryDelegation";

export interface AutomationAccessArgs {
  automation: AutomationConfig;
  /** Read from the configured files when the program runs (public keys only). */
  certificates: PublicCertificate[];
  /** Cloud license groups, old and reach-back, whose members the automation changes. */
  cloudLicenseGroupIds: pulumi.Input<string>[];
  /** On-premises license groups, old and reach-back, by name. */
  onPremisesLicenseGroupNames: string[];
}

export class AutomationAccess extends pulumi.ComponentResource {
  readonly app: AutomationApp;
  readonly delegation?: DirectoryDelegation;

  constructor(name: string, args: AutomationAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("entra-coexistence:index:AutomationAccess", name, {}, opts);
    const { automation } = args;
    this.app = new AutomationApp(
      `${name}-app`,
      {
        tenant: "source",
        displayName: automation.displayName,
        certificates: args.certificates,
        permissions: [...AUTOMATION_GRAPH_PERMISSIONS],
        ownedGroupIds: args.cloudLicenseGroupIds,
      },
      { parent: this },
    );
    if (automation.serviceAccount) {
      this.delegation = new DirectoryDelegation(
        `${name}-directory`,
        {
          serviceAccount: automation.serviceAccount.name,
          userOus: automation.userOus,
          attributes: [...DELEGATED_USER_ATTRIBUTES],
          licenseGroupNames: args.onPremisesLicenseGroupNames,
        },
        { parent: this },
      );
    }
    this.registerOutputs({ clientId: this.app.clientId });
  }
}
