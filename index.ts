// The Pulumi program: validated stack configuration in, the coexistence components out. Whatever
// preview can know from the configuration, the files it names, one read-only look at the
// source tenant's SKUs and the declared reach-back users' preconditions (read-only, both tenants
// and AD) is checked here, before any resource is registered: a refused preview prints the
// reasons and nothing else, and writes nothing.
import * as pulumi from "@pulumi/pulumi";
import * as pulumiConfig from "@pulumi/pulumi/runtime/config";
import { AutomationAccess } from "./components/automationAccess";
import { CrossTenantCoexistence, pairingProblems } from "./components/crossTenantCoexistence";
import { ReachBackLicensing } from "./components/reachBackLicensing";
import {
  CertificateFileError,
  type PublicCertificate,
  readPublicCertificates,
} from "./lib/automation/certificates";
import { credentialFileProblems, mappingSkuProblems } from "./lib/config/preflight";
import { Refusal } from "./lib/config/refusal";
import {
  CONFIG_NAMESPACE,
  ConfigError,
  loadStackConfig,
  plainSecretProblems,
  type StackConfig,
} from "./lib/config/stackConfig";
import { editDistance } from "./lib/config/suggest";
import { DirectoryClient } from "./lib/directory/client";
import { type GraphClient, graphClientFor, odataString } from "./lib/graph/client";
import { listSubscribedSkus } from "./lib/licensing/licenseGroupApi";
import { checkPreconditions, describeProblem } from "./lib/reachBack/preconditions";
import { waveProgram } from "./lib/waves/program";
import { ReachBackUser } from "./providers/reachBackUser";

/** Exit code by which the Node.js SDK tells the language host "the program already reported
 * what is wrong": the host then adds no "an unhandled error occurred" of its own. */
const ALREADY_REPORTED = 32;

/** Whether Pulumi holds `entra-coexistence:<key>` as a secret. The SDK reads this from the
 * language host (PULUMI_CONFIG_SECRET_KEYS); Pulumi marks a whole top-level key as secret when any
 * value below it is one. `isConfigSecret` is exported by the SDK's runtime but not typed. */
function isSecretKey(key: string): boolean {
  const sdk = pulumiConfig as unknown as { isConfigSecret?: (k: string) => boolean };
  return sdk.isConfigSecret?.(`${CONFIG_NAMESPACE}:${key}`) ?? false;
}

/** The keys set in the stack's configuration: ours without the namespace, and keys of a
 * namespace that looks like a slip of ours (`entra-coexistance:source`). */
function configuredKeys(): { ours: string[]; misspeltNamespace: string[] } {
  const ours: string[] = [];
  const misspeltNamespace: string[] = [];
  for (const full of Object.keys(pulumi.runtime.allConfig())) {
    const at = full.indexOf(":");
    const namespace = full.slice(0, at);
    if (namespace === CONFIG_NAMESPACE) ours.push(full.slice(at + 1));
    // Two edits at most: other projects' namespaces (entra-coexistence-test) are not slips.
    else if (editDistance(namespace, CONFIG_NAMESPACE) <= 2) misspeltNamespace.push(full);
  }
  return { ours, misspeltNamespace };
}

function validatedConfig(): StackConfig {
  const { ours, misspeltNamespace } = configuredKeys();
  if (misspeltNamespace.length > 0) {
    throw new Refusal(
      `invalid stack configuration:\n${misspeltNamespace
        .map(
          (k) =>
            `  ${k}: unknown namespace; did you mean ${CONFIG_NAMESPACE}:${k.slice(k.indexOf(":") + 1)}?`,
        )
        .join("\n")}`,
    );
  }
  try {
    return loadStackConfig((key) => new pulumi.Config(CONFIG_NAMESPACE).get(key), undefined, {
      keys: ours,
      isSecret: isSecretKey,
    });
  } catch (e) {
    if (e instanceof ConfigError) throw new Refusal(e.message);
    throw e;
  }
}

/** The automation's certificates, read now so that a bad file stops preview before any write. */
function automationCertificates(config: StackConfig, problems: string[]): PublicCertificate[] | undefined {
  if (!config.automation) return undefined;
  try {
    return readPublicCertificates(config.automation.certificates);
  } catch (e) {
    if (!(e instanceof CertificateFileError)) throw e;
    problems.push(e.message);
    return undefined;
  }
}

/** One read-only call: the source tenant's SKUs, so that a mapping naming a SKU or plan the
 * tenant does not have is refused at preview rather than by assignLicense at up. */
async function skuProblems(config: StackConfig): Promise<string[]> {
  if (config.licenseGroups.mappings.length === 0) return [];
  let skus: Awaited<ReturnType<typeof listSubscribedSkus>>;
  try {
    skus = await listSubscribedSkus(graphClientFor(config.source, config.cloud));
  } catch (e) {
    return [
      `could not read the source tenant's subscribed SKUs (GET /subscribedSkus, Organization.Read.All) to check ` +
        `${CONFIG_NAMESPACE}:licenseGroups.mappings: ${(e as Error).message}`,
    ];
  }
  return mappingSkuProblems(config.licenseGroups, skus);
}

/** The license-group mapping as preview can know it: the mapping's original groups, and the
 * reach-back groups this stack made, found by name (read-only; none yet before the first up). A
 * user already in a reach-back group is then not refused as "licensed by an unmapped group". */
async function previewMapping(config: StackConfig, source: GraphClient): Promise<Record<string, string>> {
  const found = await Promise.all(
    config.licenseGroups.mappings.map(async (m) => {
      const groups = await source.list<{ id: string }>(
        `/groups?$filter=displayName eq ${odataString(m.reachBackGroupName)}&$select=id`,
      );
      // Before the first up the reach-back group does not exist; the original stands for it.
      return [m.originalGroupId, groups[0]?.id ?? m.originalGroupId] as const;
    }),
  );
  return Object.fromEntries(found);
}

/** Seed 000's preconditions for the declared users, read-only: one line per problem, naming the
 * user and the fix. Reads Graph as the deploying identities (Domain.Read.All for /domains, plus
 * the read rights the stack has already) and AD as the deploying account. */
async function reachBackUserProblems(config: StackConfig): Promise<string[]> {
  const users = config.reachBack.users;
  if (users.length === 0) return [];
  if (!config.activeDirectory) {
    return [
      `${CONFIG_NAMESPACE}:activeDirectory: required when ${CONFIG_NAMESPACE}:reachBack.users is set (each user is changed in AD)`,
    ];
  }
  const source = graphClientFor(config.source, config.cloud);
  const ad = new DirectoryClient(config.activeDirectory);
  try {
    const licenseGroupMapping = await previewMapping(config, source);
    const problems = await checkPreconditions(
      users.map((u) => ({ ...u, licenseGroupMapping })),
      {
        source,
        target: graphClientFor(config.target, config.cloud),
        sourceTenantId: config.source.tenantId,
        targetTenantId: config.target.tenantId,
        ad,
        userOus: config.automation?.userOus,
      },
    );
    return problems.map(describeProblem);
  } catch (e) {
    return [
      `could not read what ${CONFIG_NAMESPACE}:reachBack.users needs (the source's /domains with Domain.Read.All, ` +
        `users, groups and cross-tenant access partners in both tenants, the users in AD): ${(e as Error).message}`,
    ];
  } finally {
    await ad.close();
  }
}

async function program(): Promise<Record<string, unknown>> {
  const config = validatedConfig();
  const problems = [
    ...plainSecretProblems(config, isSecretKey, pulumi.getStack()),
    ...credentialFileProblems(config),
  ];
  // A wave stack (entra-coexistence:wave) enables the users of a CSV on the coexistence stack's set-up.
  if (config.wave && problems.length === 0) return waveProgram(config, config.wave);
  const args = {
    sourceTenantId: config.source.tenantId,
    targetTenantId: config.target.tenantId,
    settings: config.crossTenantAccess,
  };
  problems.push(...pairingProblems(args));
  const certificates = automationCertificates(config, problems);
  // Signing in needs the credential files; without them the SKU check would only repeat that.
  if (problems.length === 0) problems.push(...(await skuProblems(config)));
  if (problems.length > 0) {
    throw new Refusal(`the stack configuration is refused:\n  - ${problems.join("\n  - ")}`);
  }
  const userProblems = await reachBackUserProblems(config);
  if (userProblems.length > 0) {
    throw new Refusal(
      `reachBack.users: nothing was written; fix these first:\n  - ${userProblems.join("\n  - ")}`,
    );
  }

  const coexistence = new CrossTenantCoexistence("coexistence", args);
  const mappings = config.licenseGroups.mappings;
  const licensing =
    mappings.length > 0
      ? new ReachBackLicensing("licensing", { licenseGroups: config.licenseGroups })
      : undefined;
  const automation =
    config.automation && certificates
      ? new AutomationAccess("automation", {
          automation: config.automation,
          certificates,
          cloudLicenseGroupIds: [
            // A stale mapping's original may be gone: only its reach-back group is still owned.
            ...mappings.filter((m) => m.source === "cloud" && !m.stale).map((m) => m.originalGroupId),
            ...(licensing?.groups ?? [])
              .filter((_, i) => mappings[i].source === "cloud")
              .map((g) => g.groupId),
          ],
          onPremisesLicenseGroupNames: mappings
            .filter((m) => m.source === "onPremises")
            .flatMap((m) => (m.stale ? [m.reachBackGroupName] : [m.originalGroupName, m.reachBackGroupName])),
        })
      : undefined;

  // The declared users, after the coexistence set-up they stand on (automatic redemption, the
  // reach-back groups), with this stack's own license-group mapping.
  const users = config.reachBack.users.map(
    (u) =>
      new ReachBackUser(
        u.sourceUserPrincipalName.toLowerCase(),
        { ...u, licenseGroupMapping: licensing?.mapping ?? {} },
        { dependsOn: [coexistence, ...(licensing ? [licensing] : [])] },
      ),
  );
  const reachBackUsers =
    users.length > 0
      ? pulumi
          .all(users.map((u) => pulumi.all([u.step, u.state])))
          .apply((steps) =>
            Object.fromEntries(
              config.reachBack.users.map((u, i) => [
                u.sourceUserPrincipalName,
                { step: steps[i][0], state: steps[i][1] },
              ]),
            ),
          )
      : undefined;

  const outputs: Record<string, unknown> = {
    /** The tenants, so that a wave stack can check it runs against the same pair. */
    sourceTenantId: config.source.tenantId,
    targetTenantId: config.target.tenantId,
    sourcePartner: coexistence.sourcePartner.settings,
    targetPartner: coexistence.targetPartner.settings,
    sourceDefaultIsServiceDefault: coexistence.sourceDefault.isServiceDefault,
    targetDefaultIsServiceDefault: coexistence.targetDefault.isServiceDefault,
    /** Original license group id → reach-back group id, for the wave stacks. */
    licenseGroupMapping: licensing?.mapping,
    /** The application (client) id the reach-back automation signs in with. */
    automationClientId: automation?.app.clientId,
    /** The application permissions it holds, and where it may write in AD. */
    automationPermissions: automation?.app.permissions,
    automationDirectoryRights: automation?.delegation?.rights,
    /** Per declared user: the procedure's step reached and the final state in words. */
    reachBackUsers,
  };
  // Only what exists: an undefined output makes Pulumi warn about it on every run.
  return Object.fromEntries(Object.entries(outputs).filter(([, v]) => v !== undefined));
}

/** Runs the program; a refusal is logged (not thrown: the SDK's uncaught-error path costs ~20 s
 * and adds its own lines) and the stack gets no outputs. */
export = async (): Promise<Record<string, unknown>> => {
  try {
    return await program();
  } catch (e) {
    if (!(e instanceof Refusal)) throw e;
    pulumi.log.error(e.message);
    process.exitCode = ALREADY_REPORTED;
    return {};
  }
};
