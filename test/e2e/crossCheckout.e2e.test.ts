// A state written from one checkout is refreshed and destroyed from another (issue 11: CI runs a
// fresh clone at another path): `__provider` keeps no path of the machine that wrote it, only the
// module it loads from the program's directory up. States written by earlier versions, whose
// `__provider` is the serialized closure shim, keep working the same way.
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { runtimeProvider } from "../../providers/runtimeProvider";
import { PulumiStack, REACH_BACK_SETTINGS, repoRoot, stackConfigFor } from "../support/pulumi";
import { emulatedPair, type TenantPairUnderTest, workDir } from "../support/tenantPairs";

const POLICY = "/policies/crossTenantAccessPolicy";

/** A checkout of this project at `dir`: its compiled code copied, its packages linked. Outside the
 * repository, so that only its own dist/ can be found from it. */
function checkoutAt(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const f of ["dist", "package.json", "Pulumi.yaml"])
    cpSync(path.join(repoRoot, f), path.join(dir, f), { recursive: true });
  mkdirSync(path.join(dir, "stacks"));
  symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
}

type Resource = {
  urn: string;
  type: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
};

describe("e2e: a state written from one checkout is refreshed and destroyed from another", function () {
  this.timeout(300_000);
  let pair: TenantPairUnderTest;
  let parent: string;
  after(async () => {
    await pair?.close();
    if (parent) rmSync(parent, { recursive: true, force: true });
  });

  it("refreshes and destroys from a checkout at another path, new and earlier __provider alike", async () => {
    pair = await emulatedPair();
    parent = mkdtempSync(path.join(tmpdir(), "coex-checkouts-"));
    const first = path.join(parent, "first");
    const second = path.join(parent, "elsewhere", "second");
    checkoutAt(first);
    const name = `xco${Date.now().toString(36)}`;
    const stackDir = workDir(`stack-${name}`);
    const config = stackConfigFor(pair, REACH_BACK_SETTINGS);
    for (const role of ["source", "target"] as const) {
      // Absolute: the checkouts do not share a directory the path could be relative to.
      config[role].credential.certificatePath = pair.connections[role].certificatePath;
    }

    const a = new PulumiStack(name, stackDir, first);
    await a.init();
    a.writeConfig(config);
    await a.expect(["up", "--yes"]);
    const exported = await a.exportState();
    const ours = (exported.deployment.resources as Resource[]).filter((r) =>
      r.type.startsWith("pulumi-nodejs:dynamic/entra-coexistence:"),
    );
    assert.ok(ours.length >= 3, `the program's resources: ${ours.map((r) => r.type).join(", ")}`);
    for (const r of ours) {
      for (const bag of [r.inputs, r.outputs]) {
        const text = String(bag?.__provider);
        assert.ok(text.length < 450, `${r.urn}: __provider is ${text.length} bytes`);
        assert.ok(!text.includes(first) && !text.includes(repoRoot), `${r.urn}: no path in __provider`);
      }
    }

    // Half of the resources as an earlier version wrote them: the serialized closure shim.
    const legacy = new Map<string, string>();
    for (const r of ours.filter((_, i) => i % 2 === 0)) {
      const module = String(r.inputs?.__provider).match(/'\.\/([^']+)'/)?.[1];
      assert.ok(module, String(r.inputs?.__provider));
      const shim = runtimeProvider(module);
      const text = (await pulumi.runtime.serializeFunction(() => shim)).text;
      legacy.set(r.urn, text);
      for (const bag of [r.inputs, r.outputs]) if (bag) bag.__provider = text;
    }
    const file = path.join(stackDir, "legacy.json");
    writeFileSync(file, JSON.stringify(exported));
    await a.expect(["stack", "import", "--file", file]);

    // The first checkout is gone; the second is at another path.
    mkdirSync(path.dirname(second), { recursive: true });
    renameSync(first, second);
    const b = new PulumiStack(name, stackDir, second);
    await b.expect(["preview", "--expect-no-changes"]);
    await b.expect(["refresh", "--yes", "--expect-no-changes"]);
    const refreshed = (await b.exportState()).deployment.resources as Resource[];
    for (const [urn, text] of legacy) {
      assert.equal(refreshed.find((r) => r.urn === urn)?.inputs?.__provider, text, `${urn} kept its shim`);
    }

    const partnerPath = `${POLICY}/partners/${pair.connections.target.tenantId}`;
    assert.ok(
      await pair.graph("source").getOptional(partnerPath),
      "the stack made the source's partner entry",
    );
    await b.expect(["destroy", "--yes"]);
    assert.equal(await pair.graph("source").getOptional(partnerPath), undefined, "destroy removed it");
    const left = ((await b.exportState()).deployment.resources ?? []) as Resource[];
    assert.deepEqual(
      left.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/")).map((r) => r.urn),
      [],
    );
  });
});
