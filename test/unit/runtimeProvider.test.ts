// What Pulumi serializes for our dynamic providers: the shim only, never the implementation.
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { provider as partnerImpl } from "../../providers/crossTenantAccessPartner";
import { runtimeProvider } from "../../providers/runtimeProvider";

describe("runtimeProvider", () => {
  it("serializes to a small shim that loads the implementation at run time", async () => {
    const shim = runtimeProvider("dist/providers/crossTenantAccessPartner");
    const serialized = await pulumi.runtime.serializeFunction(() => shim);
    const text = serialized.text;
    assert.ok(text.length < 4096, `${text.length} bytes`);
    assert.match(text, /dist\/providers\/crossTenantAccessPartner/);
    assert.doesNotMatch(text, /readPartner|graphFor|zod/);
    // The same provider serialized directly would carry its whole module graph.
    const inline = await pulumi.runtime
      .serializeFunction(() => partnerImpl)
      .then((s) => s.text.length)
      .catch(() => Number.POSITIVE_INFINITY);
    assert.ok(inline > text.length * 4, `inline ${inline} bytes vs shim ${text.length}`);
  });

  it("finds the implementation from the project root or from dist/ below it", async () => {
    const shim = runtimeProvider("dist/providers/crossTenantAccessPartner");
    const cwd = process.cwd();
    try {
      for (const dir of [cwd, `${cwd}/dist`]) {
        process.chdir(dir);
        const result = await shim.check?.({}, { tenant: "nowhere" });
        assert.ok(
          result?.failures?.some((f) => f.property === "tenant"),
          JSON.stringify(result),
        );
      }
    } finally {
      process.chdir(cwd);
    }
  });
});
