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

  it("names items added to, changed in and removed from lists", () => {
    const output = readFileSync(
      path.join(__dirname, "../../../test/unit/fixtures/refresh-diff-lists.txt"),
      "utf8",
    );
    assert.deepEqual(driftLines(output), [
      'automation-app: drift[0]: added "User.Invite.All is not granted"',
      'automation-app: grantedPermissions[0]: "User.Invite.All" => "User.ReadWrite.All"',
      'automation-app: grantedPermissions[1]: removed "User.ReadWrite.All"',
    ]);
  });

  it("reports nothing for a diff without changes", () => {
    assert.deepEqual(driftLines("Resources:\n    6 unchanged\n"), []);
  });
});
