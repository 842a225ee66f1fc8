// Reach-back users declared in the product's own stack configuration (entra-coexistence:
// reachBack.users), through the real pulumi CLI against the emulator and Samba: the program reads
// each user's preconditions read-only before it registers any resource, so a preview with a user
// failing one is refused with exactly that user's line (and its fix), and writes nothing (the
// emulator's request log); a good list previews clean, writing nothing either. The list itself is
// validated with key-naming errors.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { createClientCertificate } from "../../emulator/pki";
import { DirectoryClient } from "../../lib/directory/client";
import { createScratchOu, type ScratchOu } from "../support/directoryFixtures";
import {
  type PulumiResult,
  PulumiStack,
  REACH_BACK_SETTINGS,
  repoRoot,
  stackConfigFor,
} from "../support/pulumi";
import { type SambaUnderTest, sambaOrSkip } from "../support/samba";
import {
  asEstate,
  emulatedPair,
  emulatorAdmin,
  type TenantPairUnderTest,
  workDir,
} from "../support/tenantPairs";

const TARGET_DOMAIN = "contoso.example";
const ROUTING_DOMAIN = "contoso.mail.onmicrosoft.com";

interface Declared {
  sourceUserPrincipalName: string;
  targetEmailAddress: string;
  coexRoutingAddress: string;
}

describe("e2e: reach-back users declared in the stack configuration (preview preconditions)", function () {
  this.timeout(300_000);
  let samba: SambaUnderTest;
  let pair: TenantPairUnderTest;
  let scratch: ScratchOu;
  let stack: PulumiStack;
  let config: Record<string, unknown>;
  /** A synced user in the scratch OU whose target identity exists. */
  let good: Declared;
  /** A synced user in OU=Users (also in scope) without a user in the target tenant. */
  let missingTarget: Declared;

  const emulator = () => {
    assert.ok(pair.emulator);
    return pair.emulator;
  };
  const adminFetch = (method: string) =>
    fetch(`${emulator().url}/_emulator/requests`, {
      method,
      headers: { "x-emulator-admin-key": emulator().adminKey },
    });
  const writes = async () =>
    ((await (await adminFetch("GET")).json()) as Array<{ method: string; path: string }>).filter(
      (r) => r.method !== "GET",
    );
  const declare = (users: unknown[]) =>
    stack.writeConfig({ ...config, reachBack: { users } } as Record<string, unknown>);
  /** `pulumi preview` with the request log emptied first. */
  const preview = async (): Promise<PulumiResult> => {
    assert.equal((await adminFetch("DELETE")).status, 204);
    return stack.run(["preview"]);
  };
  /** The refusal's lines: "- <line>" under the message, once each (the CLI may repeat a diagnostic). */
  const refusalLines = (output: string) => [
    ...new Set(
      output
        .split("\n")
        .map((l) => /^\s*- (.+)$/.exec(l)?.[1]?.trim())
        .filter((l): l is string => l !== undefined),
    ),
  ];

  before(async function () {
    samba = sambaOrSkip(this);
    // No replication delay: the estate below is read by the previews at once (what is tested is
    // what preview reads and writes, not Graph's consistency).
    pair = await emulatedPair(
      undefined,
      { source: "fabrikam.example", target: TARGET_DOMAIN },
      { replicationDelayMs: 0 },
    );
    const source = pair.connections.source.tenantId;
    const target = pair.connections.target.tenantId;
    scratch = await createScratchOu(samba.admin(), "wave");
    const engine = emulator().attachEntraConnect(source, samba.admin({ baseDn: samba.fabrikamOu }));
    // Seed 000: the estate's Connect rule does not flow onPremisesUserPrincipalName.
    await emulatorAdmin(pair, "source", "PATCH", "/entraConnect/settings", {
      writeOnPremisesUserPrincipalName: false,
    });
    await engine.requestCycle();
    await asEstate(pair, async () => {
      await pair.graph("source").post("/policies/crossTenantAccessPolicy/partners", {
        tenantId: target,
        automaticUserConsentSettings: { inboundAllowed: true, outboundAllowed: false },
      });
      await pair.graph("target").post("/policies/crossTenantAccessPolicy/partners", {
        tenantId: source,
        automaticUserConsentSettings: { inboundAllowed: false, outboundAllowed: true },
      });
    });
    const ad = new DirectoryClient(samba.admin());
    const declared = async (dn: string): Promise<Declared> => {
      const u = await ad.getUser(dn);
      const upn = u?.userPrincipalName;
      assert.ok(upn, `${dn} has a UPN`);
      const alias = upn.split("@")[0];
      return {
        sourceUserPrincipalName: upn,
        targetEmailAddress: `${alias}@${TARGET_DOMAIN}`,
        coexRoutingAddress: `${alias}@${ROUTING_DOMAIN}`,
      };
    };
    try {
      good = await declared(scratch.userDn);
      missingTarget = await declared(scratch.outsideUserDn);
    } finally {
      await ad.close();
    }
    await emulatorAdmin(pair, "target", "POST", "/users", {
      userPrincipalName: good.targetEmailAddress,
      mail: good.targetEmailAddress,
    });

    const certFile = path.join(workDir("wave-users-cert"), "automation.crt");
    writeFileSync(certFile, createClientCertificate("reachback-automation-wave").certPem);
    config = {
      ...stackConfigFor(pair, REACH_BACK_SETTINGS),
      activeDirectory: {
        url: samba.connection.ldapsUrl,
        caCertPath: samba.connection.caCertPath,
        bindDn: samba.connection.adminBindDn,
        password: samba.connection.adminPassword,
        baseDn: samba.fabrikamOu,
      },
      automation: {
        certificates: [path.relative(repoRoot, certFile)],
        userOus: [scratch.ouDn, `OU=Users,${samba.fabrikamOu}`],
      },
    };
    stack = new PulumiStack(`wave${Date.now().toString(36)}`);
    await stack.init();
  });

  after(async () => {
    stack?.dispose();
    await scratch?.cleanup().catch(() => undefined);
    await pair?.close();
  });

  it("refuses a preview with exactly the failing user's line and its fix, writing nothing", async () => {
    declare([missingTarget, good]);
    const r = await preview();
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, /reachBack\.users: nothing was written/);
    assert.deepEqual(
      refusalLines(r.output),
      [
        `${missingTarget.sourceUserPrincipalName}: has no user with the address ${missingTarget.targetEmailAddress} ` +
          "in the target tenant; migrate the user (their target identity) before enabling reach-back, or correct targetEmailAddress",
      ],
      r.output,
    );
    assert.doesNotMatch(r.output, /unhandled|at .*\.js:\d+/, r.output);
    assert.deepEqual(await writes(), [], "a refused preview writes nothing");
  });

  it("previews a good list clean, reading only", async () => {
    declare([good]);
    const r = await preview();
    assert.equal(r.code, 0, r.output);
    assert.match(
      r.output,
      new RegExp(`ReachBackUser\\s+${good.sourceUserPrincipalName.replace(/\./g, "\\.")}\\s+create`),
    );
    assert.deepEqual(await writes(), [], "preview writes nothing");
  });

  it("names the key of a wrong or repeated user entry", async () => {
    const { targetEmailAddress, ...rest } = good;
    declare([{ ...rest, targetEmailAdress: targetEmailAddress }]);
    const misspelt = await preview();
    assert.notEqual(misspelt.code, 0, misspelt.output);
    assert.match(
      misspelt.output,
      /entra-coexistence:reachBack\.users\.0\.targetEmailAdress: unknown key; did you mean targetEmailAddress\?/,
    );
    // The key meant is not reported missing as well.
    assert.doesNotMatch(misspelt.output, /users\.0\.targetEmailAddress:/, misspelt.output);
    assert.deepEqual(await writes(), [], "a refused preview writes nothing");

    declare([
      good,
      missingTarget,
      { ...good, sourceUserPrincipalName: good.sourceUserPrincipalName.toUpperCase() },
    ]);
    const repeated = await preview();
    assert.notEqual(repeated.code, 0, repeated.output);
    assert.match(
      repeated.output,
      /entra-coexistence:reachBack\.users\.2\.sourceUserPrincipalName: is declared already at reachBack\.users\.0; list each user once/,
    );
    assert.deepEqual(await writes(), [], "a refused preview writes nothing");
  });
});
