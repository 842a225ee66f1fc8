import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { driftLines } from "../../cli/coex";

const fixture = (name: string) =>
  readFileSync(path.join(__dirname, "../../../test/unit/fixtures", name), "utf8");
/** The scratch OU of the e2e run the fixtures were taken from. */
const OU = "OU=automation-24f072,OU=Fabrikam,DC=corp,DC=fabrikam,DC=example";

describe("coex drift: reading pulumi's refresh diff", () => {
  it("names the resource and the full path of each changed setting", () => {
    assert.deepEqual(driftLines(fixture("refresh-diff.txt")), [
      "coexistence-source-partner: settings.inboundTrust.isMfaAccepted: true => false",
    ]);
  });

  it("compares a list of values as a whole, not by position (a real refresh of AutomationApp and DirectoryDelegation)", () => {
    // pulumi pairs the items by index: permissions shows "[0]: User.Invite.All => Group.Read.All",
    // which, read as a whole, is one grant revoked and another granted.
    assert.deepEqual(driftLines(fixture("refresh-diff-lists.txt")), [
      `automation-directory: rights: removed "${OU}: write targetAddress on user objects below"`,
      'automation-app: ownedGroupIds: removed "65501687-ad4c-4d53-800b-29faae01864e"',
      'automation-app: permissions: removed "User.Invite.All"',
      'automation-app: permissions: added "Group.Read.All"',
    ]);
  });

  it("names an item added to an empty list (a broader right given by hand)", () => {
    assert.deepEqual(driftLines(fixture("refresh-diff-broader.txt")), [
      `automation-directory: broaderRights: added "${OU}: (A;CIIO;WP;;;S-1-5-21-2921493733-324603784-1323057154-1138): writes every property"`,
    ]);
  });

  it("names the items of a list of objects by index, and moved items not at all", () => {
    const output = [
      "    [urn=urn:pulumi:t::p::entra-coexistence:index:X$pulumi-nodejs:dynamic/entra-coexistence:AutomationApp::app]",
      "          ~ certificates: [",
      "              ~ [0]: {",
      `                      ~ der       : "${"A".repeat(500)}" => "${"B".repeat(500)}"`,
      '                      ~ thumbprint: "8BAA" => "11C3"',
      "                    }",
      "            ]",
      "          ~ ownedGroupIds: [",
      '              ~ [0]: "a" => "b"',
      '              ~ [1]: "b" => "a"',
      "            ]",
    ].join("\n");
    assert.deepEqual(driftLines(output), [
      `app: certificates[0].der: "${"A".repeat(159)}… (502 characters) => "${"B".repeat(159)}… (502 characters)`,
      'app: certificates[0].thumbprint: "8BAA" => "11C3"',
    ]);
  });

  it("reports nothing for a diff without changes", () => {
    assert.deepEqual(driftLines("Resources:\n    6 unchanged\n"), []);
  });
});
