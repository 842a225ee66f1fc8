import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { driftLines } from "../../cli/coex";

describe("coex drift: reading pulumi's refresh diff", () => {
  it("names the resource and the full path of each changed setting", () => {
    const output = readFileSync(path.join(__dirname, "../../../test/unit/fixtures/refresh-diff.txt"), "utf8");
    assert.deepEqual(driftLines(output), [
      "coexistence-source-partner: settings.inboundTrust.isMfaAccepted: true => false",
    ]);
  });

  it("reports nothing for a diff without changes", () => {
    assert.deepEqual(driftLines("Resources:\n    6 unchanged\n"), []);
  });
});
