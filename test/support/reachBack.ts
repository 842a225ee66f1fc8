// The set-up the ReachBackUser end-to-end suites share: an emulated tenant pair with Entra Connect
// syncing the Samba AD, automatic redemption on both sides and a cloud license group with its
// reach-back group (the estate the coexistence stack leaves), synced remote-mailbox users of the
// scratch OUs with a target identity, the test program's project and the stack's configuration.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { EntraConnectSync } from "../../emulator/entraConnect";
import { planData, SCRUBBING_SERVICES, SKU_FIXTURES } from "../../emulator/skus";
import { DEPLOYER_ROLES } from "../../emulator/tenantPair";
import { entraConnectConfigSchema } from "../../lib/config/reachBack";
import { DirectoryClient, type DirectoryUser } from "../../lib/directory/client";
import { Journal } from "../../lib/journal/journal";
import { FileJournalStore } from "../../lib/journal/store";
import { enableReachBack } from "../../lib/reachBack/procedure";
import { DeltaSyncTrigger } from "../../lib/reachBack/syncHook";
import { PulumiStack, repoRoot, stackConfigFor } from "./pulumi";
import type { SambaUnderTest } from "./samba";
import { asEstate, emulatedPair, emulatorAdmin, type TenantPairUnderTest, workDir } from "./tenantPairs";

// biome-ignore lint/suspicious/noExplicitAny: set-up walks Graph's JSON freely
type GraphJson = any;
export const E5 = SKU_FIXTURES.SPE_E5;
export const TARGET_DOMAIN = "contoso.example";
export const ROUTING_DOMAIN = "contoso.mail.onmicrosoft.com";

/** The E5 plans the emulator knows to trigger proxy scrubbing: what a reach-back group disables. */
export const SCRUBBING_PLANS = E5.servicePlans
  .filter((p) => {
    const data = planData(p.servicePlanId);
    return data !== undefined && SCRUBBING_SERVICES.has(data.service);
  })
  .map((p) => p.servicePlanId);

export interface ReachBackTestUser {
  name: string;
  upn: string;
  dn: string;
  alias: string;
  target: string;
  routing: string;
  /** The AD user as found, before the test changed anything. */
  before: DirectoryUser;
  cloudId: string;
}

export interface ReachBackEstate {
  pair: TenantPairUnderTest;
  engine: EntraConnectSync;
  ad: DirectoryClient;
  /** The cloud group that licenses E5 as found, and its reach-back group (scrubbing plans off). */
  originalGroup: string;
  reachBackGroup: string;
}

/** An emulated pair with Entra Connect syncing the Samba AD's Fabrikam OU (its first cycle syncs
 * the users there: create them first), and the estate. */
export async function reachBackEstate(samba: SambaUnderTest): Promise<ReachBackEstate> {
  assert.ok(SCRUBBING_PLANS.length > 0, "the emulator knows E5's scrubbing plans");
  const pair = await emulatedPair([...DEPLOYER_ROLES, "User.Invite.All", "User.ReadWrite.All"], {
    source: "fabrikam.example",
    target: TARGET_DOMAIN,
  });
  const emulator = pair.emulator;
  assert.ok(emulator);
  const source = pair.connections.source.tenantId;
  const target = pair.connections.target.tenantId;
  const engine = emulator.attachEntraConnect(source, samba.admin({ baseDn: samba.fabrikamOu }));
  // Seed 000: Microsoft blocks converting users that carry onPremisesUserPrincipalName; the
  // estate's Connect rule leaves it empty.
  await emulatorAdmin(pair, "source", "PATCH", "/entraConnect/settings", {
    writeOnPremisesUserPrincipalName: false,
  });
  await engine.requestCycle();
  const graph = pair.graph("source");
  const groups = await asEstate(pair, async () => {
    await graph.post("/policies/crossTenantAccessPolicy/partners", {
      tenantId: target,
      automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: false },
    });
    await pair.graph("target").post("/policies/crossTenantAccessPolicy/partners", {
      tenantId: source,
      automaticUserConsentSettings: { inboundAllowed: false, outboundAllowed: true },
    });
    const licensed = async (name: string, disabledPlans: string[]) => {
      const g = await graph.post<GraphJson>("/groups", {
        displayName: name,
        mailEnabled: false,
        mailNickname: name,
        securityEnabled: true,
      });
      await graph.post(`/groups/${g.id}/assignLicense`, {
        addLicenses: [{ skuId: E5.skuId, disabledPlans }],
        removeLicenses: [],
      });
      return g.id as string;
    };
    return {
      originalGroup: await licensed("LIC-RB-E5", []),
      reachBackGroup: await licensed("LIC-RB-E5-ReachBack", SCRUBBING_PLANS),
    };
  });
  return { pair, engine, ad: new DirectoryClient(samba.admin()), ...groups };
}

/** A synced remote-mailbox user of a scratch OU, its target identity in the target tenant, and its
 * license group as found: by default the original cloud group (licensed once this resolves), or
 * what `join` makes it (an on-premises group, say). */
export async function reachBackTestUser(
  estate: ReachBackEstate,
  name: string,
  dn: string,
  join?: (cloudId: string) => Promise<unknown>,
): Promise<ReachBackTestUser> {
  const { pair } = estate;
  const graph = pair.graph("source");
  const before = await estate.ad.getUser(dn);
  assert.ok(before, `${dn} is readable`);
  const upn = before.userPrincipalName as string;
  const alias = upn.split("@")[0];
  const cloud = await graph.get<GraphJson>(`/users/${encodeURIComponent(upn)}?$select=id`);
  const target = `${alias}@${TARGET_DOMAIN}`;
  await emulatorAdmin(pair, "target", "POST", "/users", { userPrincipalName: target, mail: target });
  if (join) await join(cloud.id);
  else {
    await asEstate(pair, () =>
      graph.post(`/groups/${estate.originalGroup}/members/$ref`, {
        "@odata.id": `${graph.baseUrl}v1.0/directoryObjects/${cloud.id}`,
      }),
    );
    await licensedBy(pair, cloud.id, estate.originalGroup);
  }
  return { name, upn, dn, alias, target, routing: `${alias}@${ROUTING_DOMAIN}`, before, cloudId: cloud.id };
}

/** Until Entra ID shows the user with the license of `group` active (licensing is asynchronous). */
export async function licensedBy(
  pair: TenantPairUnderTest,
  id: string,
  group: string,
  timeoutMs = 30_000,
): Promise<void> {
  for (let i = 0; i < timeoutMs / 500; i++) {
    const u = await pair.graph("source").get<GraphJson>(`/users/${id}?$select=id,licenseAssignmentStates`);
    const mine = (u.licenseAssignmentStates ?? []).filter((s: GraphJson) => s.assignedByGroup === group);
    if (mine.some((s: GraphJson) => s.state === "Active")) return;
    // Processed, and refused: waiting longer changes nothing (a set-up of more users than the
    // SKU has units waited out its whole timeout on CountViolation).
    const failed = mine.find((s: GraphJson) => s.state === "Error");
    if (failed)
      assert.fail(
        `${id} got the license of ${group} in state Error (${failed.error}); for CountViolation, give the SKU more units (PATCH /_emulator/tenants/{id}/subscribedSkus/{skuId} prepaidUnits)`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.fail(`${id} never got the license of ${group}`);
}

/** The test program (test/e2e/programs/reachBackUsers.ts) as a Pulumi project of its own, and a
 * fresh stack of it with a file backend. */
export async function reachBackStack(
  project: string,
  label: string,
): Promise<{ stack: PulumiStack; stateDir: string }> {
  const dir = workDir(`program-${project}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    [
      `name: ${project}`,
      "runtime:",
      "  name: nodejs",
      "  options:",
      "    typescript: false",
      `main: ${path.join(repoRoot, "dist/test/e2e/programs/reachBackUsers.js")}`,
      "",
    ].join("\n"),
  );
  const stackDir = workDir(`stack-${label}`);
  const stack = new PulumiStack(`${label}${Date.now().toString(36)}`, stackDir, dir);
  await stack.init();
  return { stack, stateDir: path.join(stackDir, "state") };
}

/** The delta-sync hook an operator would configure, as a shell command: curl to the emulator's
 * sync-cycle endpoint (as Start-ADSyncSyncCycle would be called). */
export function deltaSyncHook(pair: TenantPairUnderTest): string {
  const emulator = pair.emulator;
  assert.ok(emulator);
  return [
    "curl --silent --show-error --fail-with-body",
    `--cacert '${emulator.caCertPath}'`,
    `-X POST -H 'x-emulator-admin-key: ${emulator.adminKey}'`,
    `'${emulator.url}/_emulator/tenants/${pair.connections.source.tenantId}/entraConnect/cycle'`,
  ].join(" ");
}

/** The stack's configuration: the pair, the Samba AD and Entra Connect's hook. */
export function reachBackConfig(
  samba: SambaUnderTest,
  pair: TenantPairUnderTest,
  deltaSyncCommand: string,
): Record<string, unknown> {
  return {
    ...stackConfigFor(pair),
    activeDirectory: {
      url: samba.connection.ldapsUrl,
      caCertPath: samba.connection.caCertPath,
      bindDn: samba.connection.serviceAccount.bindDn,
      password: samba.connection.serviceAccount.password,
      baseDn: samba.fabrikamOu,
    },
    entraConnect: { deltaSyncCommand, syncTimeoutSeconds: 90, pollSeconds: 1, busyRetrySeconds: 1 },
    reachBack: { licenseTimeoutSeconds: 90 },
  };
}

/** Writes the stack's configuration with the users the test program declares. */
export function declareUsers(
  stack: PulumiStack,
  config: Record<string, unknown>,
  users: Array<Record<string, unknown>>,
): void {
  // Many users go through a file: the configuration reaches the program in one environment
  // variable, which Linux caps at 128 KiB.
  let namespaced: Record<string, unknown> = { "entra-coexistence-test:users": users };
  if (users.length > 100) {
    const file = `${stack.configFile}.users.json`;
    writeFileSync(file, JSON.stringify(users));
    namespaced = { "entra-coexistence-test:usersFile": file };
  }
  for (const [k, v] of Object.entries(config)) namespaced[`entra-coexistence:${k}`] = v;
  writeFileSync(stack.configFile, JSON.stringify({ config: namespaced }, null, 2));
}

/** The stack's journal, read through the journal library (beside the state in the file backend). */
export async function stackJournal(stateDir: string, project: string, stack: PulumiStack): Promise<Journal> {
  const store = new FileJournalStore(
    path.join(stateDir, ".entra-coexistence", "journal", project, stack.name),
    { project, stack: stack.name },
  );
  await store.open({ create: false });
  return new Journal(store);
}

/** Enables `users` before the test's stack exists, as another tool would have (the product's
 * procedure with a journal of its own, which the stack's journal never sees): a user the stack
 * then finds already enabled. */
export async function enableBeforehand(
  samba: SambaUnderTest,
  pair: TenantPairUnderTest,
  users: ReadonlyArray<Pick<ReachBackTestUser, "upn" | "target" | "routing">>,
  licenseGroupMapping: Record<string, string>,
): Promise<void> {
  const dir = workDir("beforehand-journal");
  const store = new FileJournalStore(dir, { project: "beforehand", stack: "other-tool" });
  await store.open();
  const entraConnect = entraConnectConfigSchema.parse({
    deltaSyncCommand: deltaSyncHook(pair),
    pollSeconds: 1,
  });
  const ad = new DirectoryClient(samba.admin());
  try {
    for (const u of users) {
      const r = await enableReachBack(
        {
          source: pair.graph("source"),
          target: pair.graph("target"),
          ad,
          journal: new Journal(store),
          sync: new DeltaSyncTrigger(entraConnect),
          settings: {
            sourceTenantId: pair.connections.source.tenantId,
            targetTenantId: pair.connections.target.tenantId,
            inviteRedirectUrl: `https://myapps.microsoft.com/?tenantid=${pair.connections.source.tenantId}`,
            licenseTimeoutMs: 60_000,
            syncTimeoutMs: 60_000,
            pollMs: 1000,
          },
        },
        {
          sourceUserPrincipalName: u.upn,
          targetEmailAddress: u.target,
          coexRoutingAddress: u.routing,
          mailboxMigration: "crossTenant",
          licenseGroupMapping,
        },
      );
      assert.equal(r.step, "verified", `${u.upn} enabled beforehand`);
    }
  } finally {
    await ad.close();
  }
}
