// entra-coexistence:journal in the stack configuration: accepted by the program's validation
// (a strict schema: an unknown top-level key fails preview), each rule of its own schema.
import assert from "node:assert/strict";
import { ConfigError, loadStackConfig } from "../../lib/config/stackConfig";
import { journalConfigSchema } from "../../lib/journal/config";

const base = {
  source: {
    tenantId: "5a0c6e1e-3c1b-4c52-9d0e-1f5b0c4a7e01",
    domain: "fabrikam.example",
    credential: { kind: "default" },
  },
  target: {
    tenantId: "b7d2f3a4-8e6c-4d19-a2f5-3c9e7b1d0f02",
    domain: "contoso.example",
    credential: { kind: "default" },
  },
};

function load(values: Record<string, unknown>) {
  return loadStackConfig((key) => (key in values ? JSON.stringify(values[key]) : undefined), "/project", {
    keys: Object.keys(values),
  });
}

describe("stack configuration: journal", () => {
  it("is optional, and takes a directory", () => {
    assert.equal(load(base).journal, undefined);
    assert.deepEqual(load({ ...base, journal: { directory: "/mnt/coex-journal" } }).journal, {
      directory: "/mnt/coex-journal",
    });
  });

  it("refuses an empty directory and names the key of a misspelt one", () => {
    assert.equal(journalConfigSchema.safeParse({ directory: "" }).success, false);
    assert.throws(
      () => load({ ...base, journal: { directry: "/mnt/coex-journal" } }),
      (e: Error) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /entra-coexistence:journal\.directry: unknown key; did you mean directory\?/);
        return true;
      },
    );
  });
});
