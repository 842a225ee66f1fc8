// What preview can know, preview says (issue 9): each stack configuration below passed preview
// before and failed at up or later. Through the real pulumi CLI against the emulator: the preview
// exits non-zero, prints the reason and nothing else, and nothing is written to either tenant
// (the emulator's request log holds no write). And the secrets of the stack configuration are
// Pulumi secrets that appear nowhere: not in state, not in what the CLI prints.
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { createClientCertificate, writeCredentialPem } from "../../emulator/pki";
import { createScratchOu, type ScratchOu } from "../support/directoryFixtures";
import { type PulumiResult, PulumiStack, repoRoot, stackConfigFor } from "../support/pulumi";
import { type SambaUnderTest, sambaOrSkip } from "../support/samba";
import { emulatedPair, type TenantPairUnderTest, workDir } from "../support/tenantPairs";

interface LoggedRequest {
  tenantId: string;
  method: string;
  path: string;
}

const ALLOWED = {
  usersAndGroups: { accessType: "allowed", targets: [{ target: "AllUsers", targetType: "user" }] },
  applications: {
    accessType: "allowed",
    targets: [{ target: "AllApplications", targetType: "application" }],
  },
};

describe("e2e: what preview can know, preview says", function () {
  this.timeout(300_000);
  let pair: TenantPairUnderTest;
  let stack: PulumiStack;
  let dir: string;

  const emulator = () => {
    assert.ok(pair.emulator);
    return pair.emulator;
  };
  const requests = async (): Promise<LoggedRequest[]> => {
    const res = await fetch(`${emulator().url}/_emulator/requests`, {
      headers: { "x-emulator-admin-key": emulator().adminKey },
    });
    return (await res.json()) as LoggedRequest[];
  };
  const clearRequests = async () => {
    const res = await fetch(`${emulator().url}/_emulator/requests`, {
      method: "DELETE",
      headers: { "x-emulator-admin-key": emulator().adminKey },
    });
    assert.equal(res.status, 204);
  };
  const writes = async () => (await requests()).filter((r) => r.method !== "GET");

  /** Runs `pulumi <args>` on `config` and checks that it is refused with `reason` alone and that
   * it wrote nothing. Returns the CLI's output for further checks. */
  const refused = async (args: string[], reason: RegExp): Promise<PulumiResult> => {
    await clearRequests();
    const r = await stack.run(args);
    assert.notEqual(r.code, 0, `pulumi ${args.join(" ")} must fail:\n${r.output}`);
    assert.match(r.output, reason);
    // The reason and nothing else: no warnings about stack outputs, no "unhandled error", no stack.
    assert.doesNotMatch(r.output, /warning:/, r.output);
    assert.doesNotMatch(r.output, /unhandled|ENOENT|at .*\.js:\d+/, r.output);
    assert.deepEqual(await writes(), [], "a refused run writes nothing");
    return r;
  };
  const preview = (reason: RegExp) => refused(["preview"], reason);

  before(async () => {
    pair = await emulatedPair();
    dir = workDir("preview-refusals");
    stack = new PulumiStack(`pre${Date.now().toString(36)}`);
    await stack.init();
  });
  after(async () => {
    stack?.dispose();
    await pair?.close();
  });

  it("names the key meant by a misspelt key, at the top level, nested, and in the namespace", async () => {
    stack.writeConfig({
      ...stackConfigFor(pair, { inboundTrst: { isMfaAccepted: true } }),
      licenceGroups: { mappings: [] },
    });
    const file = JSON.parse(readFileSync(stack.configFile, "utf8"));
    file.config["entra-coexistance:cloud"] = { graphEndpoint: pair.cloud.graphEndpoint };
    writeFileSync(stack.configFile, JSON.stringify(file));
    await preview(/entra-coexistance:cloud: unknown namespace; did you mean entra-coexistence:cloud\?/);
    stack.writeConfig({
      ...stackConfigFor(pair, { inboundTrst: { isMfaAccepted: true } }),
      licenceGroups: { mappings: [] },
    });
    const keys = await preview(/entra-coexistence:licenceGroups: unknown key; did you mean licenseGroups\?/);
    assert.match(
      keys.output,
      /entra-coexistence:crossTenantAccess\.inboundTrst: unknown key; did you mean inboundTrust\?/,
    );
  });

  it("names the deploying identity's certificate file that is missing or has no private key", async () => {
    const certOnly = path.join(dir, "target-cert-only.pem");
    const pem = readFileSync(pair.connections.target.certificatePath, "utf8");
    const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
    assert.ok(cert, "the deployer's PEM holds a certificate");
    writeFileSync(certOnly, `${cert[0]}\n`);
    const config = stackConfigFor(pair) as Record<string, Record<string, unknown>>;
    config.source.credential = { kind: "certificate", certificatePath: "certs/nowhere/source-deployer.pem" };
    config.target.credential = { kind: "certificate", certificatePath: path.relative(repoRoot, certOnly) };
    stack.writeConfig(config);
    const r = await preview(
      /entra-coexistence:source\.credential\.certificatePath: \S*certs\/nowhere\/source-deployer\.pem does not exist/,
    );
    assert.match(
      r.output,
      /entra-coexistence:target\.credential\.certificatePath: \S*target-cert-only\.pem holds no private key/,
    );
  });

  it("names the certificate file's key at a refresh too, which does not run the program", async () => {
    const copy = path.join(dir, "source-deployer.pem");
    copyFileSync(pair.connections.source.certificatePath, copy);
    const config = stackConfigFor(pair) as Record<string, Record<string, unknown>>;
    config.source.credential = { kind: "certificate", certificatePath: path.relative(repoRoot, copy) };
    stack.writeConfig(config);
    await stack.expect(["up", "--yes"]);
    renameSync(copy, `${copy}.moved`);
    try {
      await clearRequests();
      const r = await stack.run(["refresh", "--yes"]);
      assert.notEqual(r.code, 0, r.output);
      assert.match(
        r.output,
        /entra-coexistence:source\.credential\.certificatePath: \S*source-deployer\.pem does not exist; give a PEM file/,
      );
      assert.doesNotMatch(r.output, /ENOENT/);
      assert.deepEqual(await writes(), []);
    } finally {
      renameSync(`${copy}.moved`, copy);
      await stack.expect(["destroy", "--yes"]);
    }
  });

  it("refuses a partner-settings target that is not a keyword or an object id, or of the wrong kind", async () => {
    const long = `AllUsers-${"x".repeat(300)}`;
    stack.writeConfig(
      stackConfigFor(pair, {
        b2bCollaborationInbound: {
          usersAndGroups: {
            accessType: "allowed",
            targets: [
              { target: "AllUser", targetType: "user" },
              { target: long, targetType: "user" },
            ],
          },
          applications: { accessType: "allowed", targets: [{ target: "AllUsers", targetType: "user" }] },
        },
        b2bCollaborationOutbound: {
          usersAndGroups: {
            accessType: "allowed",
            targets: [{ target: "3f0c8a51-2b7d-4e1a-9c6f-8d5e4b3a2f10", targetType: "application" }],
          },
        },
      }),
    );
    const r = await preview(
      /b2bCollaborationInbound\.usersAndGroups\.targets\.0\.target: must be an object id \(a GUID\) or AllUsers; did you mean AllUsers\?/,
    );
    assert.match(
      r.output,
      /b2bCollaborationInbound\.applications\.targets\.0\.target: AllUsers is a user target: put it under usersAndGroups, not applications/,
    );
    assert.match(
      r.output,
      /b2bCollaborationOutbound\.usersAndGroups\.targets\.0\.target: an object id under usersAndGroups has targetType user or group, not application/,
    );
    // A long bad value is echoed cut short.
    assert.ok(r.output.includes(`(got "${long.slice(0, 79)}…)`), r.output);
    assert.ok(!r.output.includes("x".repeat(100)), "the long value is not printed whole");
  });

  it("refuses a pairing that blocks all applications, like one that blocks all users", async () => {
    stack.writeConfig(
      stackConfigFor(pair, {
        b2bCollaborationInbound: {
          ...ALLOWED,
          applications: {
            accessType: "blocked",
            targets: [{ target: "AllApplications", targetType: "application" }],
          },
        },
        b2bCollaborationOutbound: {
          ...ALLOWED,
          usersAndGroups: { accessType: "blocked", targets: [{ target: "AllUsers", targetType: "user" }] },
        },
      }),
    );
    const r = await preview(/crossTenantAccess\.b2bCollaborationInbound blocks all applications/);
    assert.match(r.output, /crossTenantAccess\.b2bCollaborationOutbound blocks all of the target's users/);
  });

  it("refuses cross-tenant synchronization into the source, quoting seed 001's reason", async () => {
    stack.writeConfig(
      stackConfigFor(pair, { identitySynchronization: { userSyncInbound: { isSyncAllowed: true } } }),
    );
    await preview(
      /crossTenantAccess\.identitySynchronization allows cross-tenant synchronization into the source tenant: .*hybrid external members are incompatible with cross-tenant synchronization \(seed 001/,
    );
  });

  it("refuses a mapping's SKU or plan the tenant does not have, after one read of subscribedSkus, in preview and up", async () => {
    const skus = await pair
      .graph("source")
      .list<{ skuId: string; skuPartNumber: string; servicePlans: { servicePlanId: string }[] }>(
        "/subscribedSkus",
      );
    assert.ok(skus.length > 0, "the emulated tenant has SKUs");
    const real = skus[0];
    const missingSku = "00000000-0000-4000-8000-0000000beef0";
    const missingPlan = "00000000-0000-4000-8000-00000000dead";
    const mapping = (i: number, licenses: unknown[]) => ({
      originalGroupId: `3f0c8a51-2b7d-4e1a-9c6f-8d5e4b3a2f1${i}`,
      originalGroupName: `LIC-Preview-${i}`,
      source: "cloud",
      reachBackGroupName: `LIC-Preview-${i}-ReachBack`,
      licenses,
    });
    stack.writeConfig({
      ...stackConfigFor(pair),
      licenseGroups: {
        mappings: [
          mapping(1, [{ skuId: missingSku, skuPartNumber: "ENTERPRISEPACK", scrubbingPlans: [] }]),
          mapping(2, [
            {
              skuId: real.skuId,
              originalDisabledPlans: [real.servicePlans[0].servicePlanId],
              scrubbingPlans: [missingPlan],
            },
          ]),
        ],
      },
    });
    for (const command of [["preview"], ["up", "--yes"]]) {
      const r = await refused(
        command,
        new RegExp(
          `licenseGroups\\.mappings\\.0\\.licenses\\.0\\.skuId: the source tenant has no SKU ${missingSku} \\(ENTERPRISEPACK\\), which LIC-Preview-1's mapping assigns; run coex discover`,
        ),
      );
      assert.match(
        r.output,
        new RegExp(
          `licenseGroups\\.mappings\\.1\\.licenses\\.0\\.scrubbingPlans\\.0: ${real.skuPartNumber} \\(${real.skuId}\\) has no service plan ${missingPlan}`,
        ),
      );
      assert.doesNotMatch(r.output, /originalDisabledPlans/, "a plan the SKU has is not reported");
      const calls = (await requests()).map((q) => `${q.method} ${q.path.split("?")[0]}`);
      assert.deepEqual(calls, ["GET /v1.0/subscribedSkus"], `${command[0]}: one read, nothing else`);
    }
  });

  it("refuses a password in plain text with the command that stores it as a secret, and does not print it", async () => {
    const password = "Plain-Text-Pa55word!";
    stack.writeConfig(
      {
        ...stackConfigFor(pair),
        activeDirectory: {
          url: "ldaps://127.0.0.1:636",
          bindDn: "admin@corp.fabrikam.example",
          password,
          baseDn: "OU=Fabrikam,DC=corp,DC=fabrikam,DC=example",
        },
      },
      { plainSecrets: true },
    );
    const r = await preview(
      new RegExp(
        `entra-coexistence:activeDirectory\\.password is plain text in the stack configuration; store it as a secret .*: pulumi config set --secret --path entra-coexistence:activeDirectory\\.password --stack ${stack.name}`,
      ),
    );
    assert.ok(!r.output.includes(password), "the plain password is not printed");
    // A bad value under a key that holds the secret is not echoed either.
    stack.writeConfig(
      {
        ...stackConfigFor(pair),
        activeDirectory: {
          url: "ldaps://127.0.0.1:636",
          bindDn: "admin",
          password: 12345678,
          baseDn: "DC=x",
        },
      },
      { plainSecrets: true },
    );
    const typed = await preview(
      /entra-coexistence:activeDirectory\.password: .*\(value not shown: it is a secret\)/,
    );
    assert.ok(!typed.output.includes("12345678"));
  });
});

describe("e2e: the stack configuration's secrets appear nowhere", function () {
  this.timeout(400_000);
  let samba: SambaUnderTest;
  let pair: TenantPairUnderTest;
  let stack: PulumiStack;
  let scratch: ScratchOu;

  before(async function () {
    samba = sambaOrSkip(this);
    scratch = await createScratchOu(samba.admin(), "secrets");
    pair = await emulatedPair();
    stack = new PulumiStack(`sec${Date.now().toString(36)}`);
    await stack.init();
  });
  after(async () => {
    stack?.dispose();
    await scratch?.cleanup();
    await pair?.close();
  });

  it("stores them encrypted, gives them decrypted to the providers, and prints or keeps none of them", async () => {
    const certFile = path.join(workDir("secrets-cert"), "automation.crt");
    const kc = createClientCertificate("reachback-automation-secrets");
    writeFileSync(certFile, kc.certPem);
    writeCredentialPem(`${certFile}.pem`, kc);
    const secrets = [samba.connection.adminPassword, scratch.serviceAccount.password];
    stack.writeConfig({
      ...stackConfigFor(pair),
      activeDirectory: {
        url: samba.connection.ldapsUrl,
        caCertPath: samba.connection.caCertPath,
        bindDn: samba.connection.adminBindDn,
        password: samba.connection.adminPassword,
        baseDn: samba.fabrikamOu,
      },
      automation: {
        displayName: "Reach-Back Automation (secrets e2e)",
        certificates: [path.relative(repoRoot, certFile)],
        serviceAccount: { name: scratch.serviceAccount.bindDn, password: scratch.serviceAccount.password },
        userOus: [scratch.ouDn],
      },
    });
    const configText = readFileSync(stack.configFile, "utf8");
    const outputs: Array<[string, string]> = [["the stack configuration file", configText]];
    assert.match(configText, /secure/, "the passwords are stored as Pulumi secrets");
    // up writes the delegation to AD as the deploying account: the provider got the password
    // decrypted from its configure call.
    for (const args of [
      ["preview", "--diff"],
      ["up", "--yes"],
      ["refresh", "--yes"],
      ["preview", "--expect-no-changes"],
    ]) {
      outputs.push([`pulumi ${args.join(" ")}`, (await stack.expect(args)).output]);
    }
    const state = await stack.run(["stack", "export"]);
    outputs.push(["pulumi stack export", state.stdout]);
    const delegation = JSON.parse(state.stdout).deployment.resources.find((r: { urn: string }) =>
      r.urn.endsWith("automation-directory"),
    );
    assert.ok(delegation, "the delegation was written with the decrypted AD password");
    for (const [where, text] of outputs) {
      for (const secret of secrets) {
        assert.ok(!text.includes(secret), `${where} holds a secret of the stack configuration`);
      }
    }
    await stack.expect(["destroy", "--yes"]);
  });
});
