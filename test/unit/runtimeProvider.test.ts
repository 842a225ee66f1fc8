// What Pulumi keeps in state as our dynamic providers' `__provider`: a one-line module that loads
// the implementation at run time, never the implementation; and the closure shim older versions
// wrote still loads it. Both are run the way Pulumi's dynamic provider host runs them:
// `requireFromString(__provider).handler()`, with the program's directory as working directory.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { provider as partnerImpl } from "../../providers/crossTenantAccessPartner";
import { providerSource, runtimeProvider } from "../../providers/runtimeProvider";

// The loader @pulumi/pulumi's dynamic provider host uses (cmd/dynamic-provider/index.js).
const requireFromString: (code: string) => { handler: () => pulumi.dynamic.ResourceProvider } = require(
  require.resolve("require-from-string", { paths: [require.resolve("@pulumi/pulumi")] }),
);

/** Runs `work` with `dir` as the working directory (where Pulumi starts the provider). */
async function inDir<T>(dir: string, work: () => Promise<T> | T): Promise<T> {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    return await work();
  } finally {
    process.chdir(cwd);
  }
}

/** A directory tree with a fake implementation module at `<root>/<at>/dist/providers/fake.js`,
 * whose provider's check answers with `marker`. */
function fakeTree(at: string, marker: string): string {
  const root = mkdtempSync(path.join(tmpdir(), "coex-provider-"));
  const dir = path.join(root, at, "dist/providers");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "fake.js"),
    `exports.provider = { check: async () => ({ inputs: { marker: ${JSON.stringify(marker)} } }) };\n`,
  );
  mkdirSync(path.join(root, "program/dist"), { recursive: true });
  return root;
}

describe("runtimeProvider: the __provider text", () => {
  it("is at most 160 bytes (stored twice per resource) naming only the module, no path of this machine", () => {
    const text = providerSource("dist/providers/reachBackUser");
    assert.ok(text.length <= 160, `${text.length} bytes`);
    assert.match(text, /'\.\/dist\/providers\/reachBackUser'/);
    assert.ok(!text.includes(process.cwd()), "no absolute path of the checkout");
    assert.ok(!text.includes('"'), "no double quote (each costs two bytes in the JSON state)");
    assert.throws(() => providerSource("dist/providers/x'); evil('"), /not a module path/);
  });

  it("loads this project's implementation as Pulumi's host does, from the root or dist/", async () => {
    const root = process.cwd();
    for (const dir of [root, path.join(root, "dist")]) {
      const loaded = await inDir(dir, () =>
        requireFromString(providerSource("dist/providers/crossTenantAccessPartner")).handler(),
      );
      assert.equal(loaded, partnerImpl, `from ${dir}`);
    }
  });

  it("finds a checkout wherever it was cloned (the nearest directory up from the program)", async () => {
    for (const at of ["", "a/b"]) {
      const root = fakeTree(at, `checkout at '${at}'`);
      try {
        const start = at ? path.join(root, at, "program") : path.join(root, "program/dist");
        mkdirSync(start, { recursive: true });
        const result = await inDir(start, () =>
          requireFromString(providerSource("dist/providers/fake")).handler().check?.({}, {}),
        );
        assert.deepEqual(result?.inputs, { marker: `checkout at '${at}'` });
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    }
  });

  it("finds the installed package (node_modules/entra-coexistence) from the program", async () => {
    const root = fakeTree("node_modules/entra-coexistence", "installed");
    try {
      const result = await inDir(path.join(root, "program/dist"), () =>
        requireFromString(providerSource("dist/providers/fake")).handler().check?.({}, {}),
      );
      assert.deepEqual(result?.inputs, { marker: "installed" });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("names the module it did not find when the implementation is not there (not built)", async () => {
    const empty = mkdtempSync(path.join(tmpdir(), "coex-provider-"));
    try {
      await inDir(empty, () =>
        assert.throws(
          () => requireFromString(providerSource("dist/providers/fake")).handler(),
          (e: Error & { code?: string }) =>
            e.code === "MODULE_NOT_FOUND" && e.message.includes("Cannot find module './dist/providers/fake'"),
        ),
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe("runtimeProvider: the closure shim of earlier states", () => {
  it("still loads the implementation by module path, from another checkout too", async () => {
    const root = fakeTree("", "loaded by the old shim");
    try {
      // What pulumi.dynamic.Resource stored: the shim serialized as a closure.
      const shim = runtimeProvider("dist/providers/fake");
      const text = (await pulumi.runtime.serializeFunction(() => shim)).text;
      assert.doesNotMatch(text, /readPartner|graphFor|zod/);
      const result = await inDir(path.join(root, "program/dist"), () =>
        requireFromString(text).handler().check?.({}, {}),
      );
      assert.deepEqual(result?.inputs, { marker: "loaded by the old shim" });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
