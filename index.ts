// The Pulumi program: validated stack configuration in, the coexistence components out.
import * as pulumi from "@pulumi/pulumi";
import { AutomationAccess } from "./components/automationAccess";
import { CrossTenantCoexistence, pairingProblems } from "./components/crossTenantCoexistence";
import { ReachBackLicensing } from "./components/reachBackLicensing";
import {
  CertificateFileError,
  type PublicCertificate,
  readPublicCertificates,
} from "./lib/automation/certificates";
import { CONFIG_NAMESPACE, ConfigError, loadStackConfig, type StackConfig } from "./lib/config/stackConfig";

/** Stops the program before any resource is registered, so nothing is written anywhere. Logged
 * rather than thrown: an uncaught error costs ~20 s in the Node SDK's error path. */
function refuse(message: string): void {
  pulumi.log.error(message);
  process.exitCode = 1;
}

function validatedConfig(): StackConfig | undefined {
  try {
    return loadStackConfig((key) => new pulumi.Config(CONFIG_NAMESPACE).get(key));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    refuse(e.message);
    return undefined;
  }
}

const config = validatedConfig();
const args = config && {
  sourceTenantId: config.source.tenantId,
  targetTenantId: config.target.tenantId,
  settings: config.crossTenantAccess,
};
const problems = args ? pairingProblems(args) : [];
if (problems.length > 0) refuse(`the cross-tenant pairing is refused:\n  - ${problems.join("\n  - ")}`);

const coexistence =
  args && problems.length === 0 ? new CrossTenantCoexistence("coexistence", args) : undefined;
const licensing =
  config && problems.length === 0 && config.licenseGroups.mappings.length > 0
    ? new ReachBackLicensing("licensing", { licenseGroups: config.licenseGroups })
    : undefined;

/** The automation's certificates, read now so that a bad file stops preview before any write. */
function automationCertificates(): PublicCertificate[] | undefined {
  if (!config?.automation) return undefined;
  try {
    return readPublicCertificates(config.automation.certificates);
  } catch (e) {
    if (!(e instanceof CertificateFileError)) throw e;
    refuse(e.message);
    return undefined;
  }
}

const certificates = automationCertificates();
const mappings = config?.licenseGroups.mappings ?? [];
const automation =
  config?.automation && certificates && problems.length === 0
    ? new AutomationAccess("automation", {
        automation: config.automation,
        certificates,
        cloudLicenseGroupIds: [
          ...mappings.filter((m) => m.source === "cloud").map((m) => m.originalGroupId),
          ...(licensing?.groups ?? []).filter((_, i) => mappings[i].source === "cloud").map((g) => g.groupId),
        ],
        onPremisesLicenseGroupNames: mappings
          .filter((m) => m.source === "onPremises")
          .flatMap((m) => [m.originalGroupName, m.reachBackGroupName]),
      })
    : undefined;

export const sourcePartner = coexistence?.sourcePartner.settings;
export const targetPartner = coexistence?.targetPartner.settings;
export const sourceDefaultIsServiceDefault = coexistence?.sourceDefault.isServiceDefault;
export const targetDefaultIsServiceDefault = coexistence?.targetDefault.isServiceDefault;
/** Original license group id → reach-back group id, for the wave stacks. */
export const licenseGroupMapping = licensing?.mapping;
/** The application (client) id the reach-back automation signs in with. */
export const automationClientId = automation?.app.clientId;
/** The application permissions it holds, and where it may write in AD. */
export const automationPermissions = automation?.app.permissions;
export const automationDirectoryRights = automation?.delegation?.rights;
