import assert from "node:assert/strict";
import { formatReport, type ReportRow, stepBefore, usersInState } from "../../cli/wave";
import { parseCsv } from "../../lib/waves/csv";

const rows: ReportRow[] = [
  {
    row: 2,
    user: "a@fabrikam.example",
    target: "a@contoso.example",
    step: "verified",
    state: "enabled",
    error: "",
  },
  {
    row: 3,
    user: "b@fabrikam.example",
    target: "b@contoso.example",
    step: "synced",
    state: "in progress",
    error: 'at invitation sent: 400 "x|y", then\nmore',
  },
  { row: 4, user: "c@fabrikam.example", target: "", step: "not started", state: "bad row", error: "bad" },
];

describe("wave report", () => {
  it("counts users per step, in the procedure's order, above the table", () => {
    const lines = formatReport("wave-01", "stacks/waves/wave-01.csv", rows, "table");
    assert.equal(
      lines[0],
      "wave wave-01 (stacks/waves/wave-01.csv): 3 user(s); not started: 1, synced: 1, verified: 1",
    );
    assert.match(lines[2], /^row\s+user\s+target\s+step\s+state\s+error$/);
  });

  it("writes Markdown a ticket renders: pipes escaped, line breaks as <br>", () => {
    const md = formatReport("wave-01", "w.csv", rows, "markdown");
    assert.ok(md.includes("| synced | 1 |"));
    assert.ok(
      md.includes(
        '| 3 | b@fabrikam.example | b@contoso.example | synced | in progress | at invitation sent: 400 "x\\|y", then<br>more |',
      ),
    );
  });

  it("writes CSV that reads back to the same cells, without the counts", () => {
    const csv = formatReport("wave-01", "w.csv", rows, "csv").join("\r\n");
    const back = parseCsv(csv).map((r) => r.fields);
    assert.deepEqual(back[0], ["row", "user", "target", "step", "state", "error"]);
    assert.deepEqual(back[2], [
      "3",
      "b@fabrikam.example",
      "b@contoso.example",
      "synced",
      "in progress",
      rows[1].error,
    ]);
    assert.equal(back.length, 4);
  });

  it("names the step a user had passed before the journal's failing step", () => {
    assert.equal(stepBefore(undefined), "journaled");
    assert.equal(stepBefore("license.reachBackGroupAdded"), "journaled");
    assert.equal(stepBefore("ad.targetAddressSet"), "licensed");
    assert.equal(stepBefore("sync.swapArrived"), "addressSwapped");
    assert.equal(stepBefore("invite.sent"), "synced");
    assert.equal(stepBefore("ad.primaryReverted"), "invited");
    assert.equal(stepBefore("verify.passed"), "reverted");
  });

  it("finds the ReachBackUser resources of a state export", () => {
    const found = usersInState({
      deployment: {
        resources: [
          { type: "pulumi:pulumi:Stack", outputs: {} },
          {
            type: "pulumi-nodejs:dynamic/entra-coexistence:ReachBackUser",
            outputs: { sourceUserPrincipalName: "A@fabrikam.example", step: "verified", state: "enabled" },
          },
        ],
      },
    });
    assert.deepEqual([...found], [["a@fabrikam.example", { step: "verified", state: "enabled" }]]);
  });
});
