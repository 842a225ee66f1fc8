import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { AUTOMATION_PERMISSIONS } from "../../lib/policy/invariants";
import { checkPolicies, type Violation } from "../../lib/policy/run";
import { type PreviewJson, parsePreviewJson, type Step } from "../../lib/review/previewJson";

const FIXTURES = path.join(__dirname, "../../../test/unit/fixtures");
/** Real `pulumi preview --json` outputs (CLI 3.248, the emulator), the serialized provider cut. */
const fixture = (name: string) => parsePreviewJson(readFileSync(path.join(FIXTURES, name), "utf8"), name);

const TYPE = "pulumi-nodejs:dynamic/entra-coexistence:";
const URN = (kind: string, name: string) =>
  `urn:pulumi:coexistence::entra-coexistence::${TYPE.replace(/:$/, "")}:${kind}::${name}`;

/** A step as the CLI writes one (see the fixtures), for the kinds the example stacks above lack. */
function step(
  kind: string,
  name: string,
  inputs: Record<string, unknown>,
  options: { op?: string; outputs?: Record<string, unknown> } = {},
): Step {
  const urn = URN(kind, name);
  const op = options.op ?? "create";
  const state = (withOutputs: boolean) => ({
    urn,
    type: `${TYPE}${kind}`,
    custom: true,
    inputs: { __provider: "(cut)", ...inputs },
    ...(withOutputs ? { outputs: { ...inputs, ...options.outputs } } : {}),
  });
  return {
    op,
    urn,
    ...(op === "create" ? {} : { oldState: state(true) }),
    ...(op === "delete" ? {} : { newState: state(false) }),
  };
}

// biome-ignore lint/suspicious/noExplicitAny: the tests edit the CLI's JSON freely
type Json = any;

const preview = (steps: Step[], config: Record<string, string> = {}): PreviewJson => ({
  config,
  steps,
  diagnostics: [],
});
const policies = (v: Violation[]) => v.map((x) => `${x.policy} ${x.resource ?? "-"}`);

/** The example stacks' previews: the coexistence stack's and a wave's (captured by the e2e suite). */
const EXAMPLES = ["preview-coexistence-create.json", "preview-wave-create.json"];

/** The captured coexistence preview with one change to the partner entry of `tenant`. */
function partnerChanged(tenant: "source" | "target", change: (settings: Json) => void) {
  const p = structuredClone(fixture("preview-coexistence-create.json"));
  const s = p.steps.find((x) => x.urn.endsWith(`coexistence-${tenant}-partner`));
  assert.ok(s?.newState?.inputs);
  change(s.newState.inputs.settings as Json);
  return p;
}

describe("coex review: the coexistence invariants as policy", () => {
  it("passes on the example stacks' previews", () => {
    for (const name of EXAMPLES) {
      if (!existsSync(path.join(FIXTURES, name))) assert.fail(`fixture ${name} is missing`);
      assert.deepEqual(checkPolicies([{ stack: "example", preview: fixture(name) }]), [], name);
    }
  });

  it("automatic redemption on both sides: a side without it names its partner entry and the setting", () => {
    const source = checkPolicies([
      {
        stack: "coexistence",
        preview: partnerChanged("source", (s) => {
          s.automaticUserConsentSettings.inboundAllowed = false;
        }),
      },
    ]);
    assert.deepEqual(policies(source), ["automatic-redemption-both-sides coexistence-source-partner"]);
    assert.match(source[0].message, /automaticRedemption\.sourceInbound to true/);
    const target = checkPolicies([
      {
        stack: "coexistence",
        preview: partnerChanged("target", (s) => {
          s.automaticUserConsentSettings.outboundAllowed = false;
        }),
      },
    ]);
    assert.deepEqual(policies(target), ["automatic-redemption-both-sides coexistence-target-partner"]);
    assert.match(target[0].message, /automaticRedemption\.targetOutbound to true/);
  });

  it("inbound MFA trust: a real preview turning it off fails, naming the fix", () => {
    const v = checkPolicies([{ stack: "coexistence", preview: fixture("preview-coexistence-update.json") }]);
    assert.deepEqual(policies(v), ["inbound-mfa-trust coexistence-source-partner"]);
    assert.match(v[0].message, /inboundTrust\.isMfaAccepted to true/);
  });

  it("the automation app: its two permissions pass; a third, or a client secret, fails", () => {
    const app = (inputs: Record<string, unknown>) =>
      checkPolicies([
        {
          stack: "coexistence",
          preview: preview([step("AutomationApp", "automation-app", { displayName: "auto", ...inputs })]),
        },
      ]);
    assert.deepEqual(app({ permissions: [...AUTOMATION_PERMISSIONS] }), []);
    const broader = app({ permissions: [...AUTOMATION_PERMISSIONS, "Group.Read.All"] });
    assert.deepEqual(policies(broader), ["automation-least-privilege automation-app"]);
    assert.match(broader[0].message, /beyond the automation's two: Group\.Read\.All/);
    const secret = app({ permissions: ["User.Invite.All"], clientSecret: "s3cret" });
    assert.deepEqual(policies(secret), ["automation-least-privilege automation-app"]);
    assert.match(secret[0].message, /client secret \(clientSecret\)/);
  });

  it("license groups: a catalogue plan kept enabled by neverDisable, or left enabled at the last read, fails", () => {
    const group = (inputs: Record<string, unknown>, outputs?: Record<string, unknown>) =>
      checkPolicies([
        {
          stack: "coexistence",
          preview: preview([
            step(
              "ReachBackLicenseGroup",
              "lic-e5",
              { tenant: "source", neverDisable: [], ...inputs },
              {
                op: outputs ? "same" : "create",
                outputs,
              },
            ),
          ]),
        },
      ]);
    assert.deepEqual(group({ scrubbingPlansLeftEnabled: [] }, { scrubbingPlansLeftEnabled: [] }), []);
    const never = group({ neverDisable: ["exchange_s_enterprise"] });
    assert.deepEqual(policies(never), ["license-group-scrubbing-plans lic-e5"]);
    assert.match(never[0].message, /EXCHANGE_S_ENTERPRISE/);
    const left = group(
      { scrubbingPlansLeftEnabled: [] },
      { scrubbingPlansLeftEnabled: ["EXCHANGE_S_NEW_ADDON"] },
    );
    assert.deepEqual(policies(left), ["license-group-scrubbing-plans lic-e5"]);
    assert.match(left[0].message, /EXCHANGE_S_NEW_ADDON/);
  });

  it("wave users: a target address in the declared source domain (or below it) fails", () => {
    const wave = fixture("preview-wave-create.json");
    const source = JSON.parse(wave.config?.["entra-coexistence:source"] ?? "{}").domain as string;
    assert.ok(source, "the wave's configuration declares the source domain");
    const bad = structuredClone(wave);
    const users = bad.steps.filter((s) => s.newState?.type === `${TYPE}ReachBackUser`);
    assert.ok(users.length >= 2);
    (users[0].newState?.inputs as Record<string, unknown>).targetEmailAddress =
      `someone@${source.toUpperCase()}`;
    (users[1].newState?.inputs as Record<string, unknown>).targetEmailAddress = `someone@mail.${source}`;
    const v = checkPolicies([{ stack: "wave", preview: bad }]);
    assert.deepEqual(
      v.map((x) => x.policy),
      ["wave-target-not-source-domain", "wave-target-not-source-domain"],
    );
    assert.match(v[0].message, /a domain verified in the source tenant/);
  });

  it("no stack deletes a group that wave users are licensed through; an adopted group (put back, not deleted) passes", () => {
    const groupId = "6b3c2a10-0000-4000-8000-000000000001";
    const deleting = (kind: "created" | "adopted") =>
      preview([
        step(
          "ReachBackLicenseGroup",
          "lic-e5",
          { tenant: "source" },
          {
            op: "delete",
            outputs: { groupId, ownership: { kind } },
          },
        ),
      ]);
    const wave = preview([
      step("ReachBackUser", "adele@fabrikam.example", {
        sourceUserPrincipalName: "adele@fabrikam.example",
        targetEmailAddress: "adele@contoso.example",
        licenseGroupMapping: { "6b3c2a10-0000-4000-8000-0000000000aa": groupId.toUpperCase() },
      }),
    ]);
    const v = checkPolicies([
      { stack: "coexistence", preview: deleting("created") },
      { stack: "wave-01", preview: wave },
    ]);
    assert.deepEqual(policies(v), ["no-delete-group-with-members lic-e5"]);
    assert.match(v[0].message, /1 wave user\(s\) .*adele@fabrikam\.example in wave-01/);
    assert.deepEqual(
      checkPolicies([
        { stack: "coexistence", preview: deleting("adopted") },
        { stack: "wave-01", preview: wave },
      ]),
      [],
    );
    assert.deepEqual(checkPolicies([{ stack: "coexistence", preview: deleting("created") }]), []);
  });
});
