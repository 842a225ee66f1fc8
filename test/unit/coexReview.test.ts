import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parsePreviewJson } from "../../lib/review/previewJson";
import { refusedReview, reviewMarkdown, reviewOf } from "../../lib/review/review";

/** Real `pulumi preview --json` outputs (CLI 3.248, the emulator), the serialized provider cut. */
const fixture = (name: string) =>
  parsePreviewJson(readFileSync(path.join(__dirname, "../../../test/unit/fixtures", name), "utf8"), name);

describe("coex review: the reviewer's Markdown from pulumi's JSON", () => {
  it("a wave's preview: its users sorted, with the preconditions and the preview's warning about the bad row", () => {
    const r = reviewOf("wave-01", fixture("preview-wave-create.json"));
    assert.deepEqual(
      r.creates.map((c) => c.kind),
      ["ReachBackUser", "ReachBackUser"],
    );
    assert.deepEqual(
      r.wave?.map((u) => [u.sourceUserPrincipalName, u.change]),
      [
        ["o-8feaeb-rva@fabrikam.example", "create"],
        ["u-8feaeb-rva@fabrikam.example", "create"],
      ],
    );
    assert.equal(r.warnings.length, 1);
    assert.match(
      r.warnings[0],
      /1 bad row\(s\), left out of this run[\s\S]*row 3 \(bad\.address@fabrikam\.example\)/,
    );
    const md = reviewMarkdown([r], []).join("\n");
    assert.match(md, /\| `wave-01` \| 2 \| 0 \| \*\*0\*\* \| \*\*0\*\* \| 0 \|/);
    assert.match(
      md,
      /`o-8feaeb-rva@fabrikam\.example` \| `o-8feaeb-rva@contoso\.example` \|.*\| create \| met/,
    );
  });

  it("an update: each changed property, what the tenant had and what up writes", () => {
    const r = reviewOf("coexistence", fixture("preview-coexistence-update.json"));
    assert.deepEqual(r.updates, [
      {
        resource: "coexistence-source-partner",
        kind: "CrossTenantAccessPartner",
        properties: [{ property: "settings.inboundTrust.isMfaAccepted", before: true, after: false }],
        replaceReasons: [],
      },
    ]);
  });

  it("replacements and deletions come before the policy and the stacks, with what forces a replacement", () => {
    const preview = structuredClone(fixture("preview-coexistence-update.json"));
    const step = preview.steps.find((s) => s.op === "update");
    assert.ok(step);
    step.op = "replace";
    step.replaceReasons = ["partnerTenantId"];
    const deleted = {
      ...structuredClone(step),
      op: "delete",
      urn: step.urn.replace("source-partner", "old-partner"),
    };
    deleted.newState = undefined;
    preview.steps.push(deleted);
    const md = reviewMarkdown([reviewOf("coexistence", preview)], []).join("\n");
    const first = md.indexOf("### Replacements and deletions");
    assert.ok(first < md.indexOf("### Policy") && md.indexOf("### Policy") < md.indexOf("### Stack"));
    assert.ok(
      md.includes(
        "- **replaced**: `coexistence-source-partner` (CrossTenantAccessPartner) in stack `coexistence` because `partnerTenantId` changed",
      ),
      md,
    );
    assert.ok(
      md.includes(
        "- **deleted**: `coexistence-old-partner` (CrossTenantAccessPartner) in stack `coexistence`",
      ),
      md,
    );
  });

  it("a refused preview: what it said, and the summary says so", () => {
    const md = reviewMarkdown(
      [refusedReview("wave-02", ["error: 1 bad row(s); nothing was written"])],
      [],
    ).join("\n");
    assert.match(md, /\| `wave-02` \| preview refused \|/);
    assert.match(
      md,
      /The preview refused the stack, and nothing would be written\. It said:\n\n```\nerror: 1 bad row/,
    );
    assert.match(md, /Every coexistence invariant holds in the stacks whose preview ran\./);
  });
});
