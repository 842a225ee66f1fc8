// Runs the coexistence invariants on previews (`pulumi preview --json` of one or more stacks).
import { configValue, type PreviewJson, PULUMI_KEYS, resourceName, stepType } from "../review/previewJson";
import {
  type CoexPolicyConfig,
  type DeletedGroup,
  groupWithMembersDeleted,
  type KeptUser,
  type PolicyResource,
  RESOURCE_POLICIES,
  STACK_POLICIES,
} from "./invariants";

export interface Violation {
  policy: string;
  stack: string;
  /** The resource's name, when the violation is about one. */
  resource?: string;
  message: string;
}

const REMOVING = new Set(["delete", "delete-replaced", "discard"]);
/** Steps that remove the object the state holds (a replacement's old object included). */
const REMOVES_OLD = new Set([...REMOVING, "replace"]);

/** The resources a preview leaves declared, as a policy pack would see them: the new inputs, plus
 * the last read's scrubbingPlansLeftEnabled (see scrubbingPlansDisabled). */
export function policyResources(preview: PreviewJson): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  for (const step of preview.steps) {
    if (REMOVING.has(step.op) || step.op === "refresh" || !step.newState?.inputs) continue;
    const props = Object.fromEntries(
      Object.entries(step.newState.inputs).filter(([k]) => !PULUMI_KEYS.has(k)),
    );
    const lastRead = step.oldState?.outputs?.scrubbingPlansLeftEnabled;
    if (Array.isArray(lastRead)) props.scrubbingPlansLeftEnabled = lastRead;
    byUrn.set(step.urn, { urn: step.urn, name: resourceName(step.urn), type: stepType(step), props });
  }
  return [...byUrn.values()];
}

/** The policy configuration a preview's stack configuration gives (what can be known offline). */
export function policyConfig(preview: PreviewJson): CoexPolicyConfig {
  const source = configValue(preview, "entra-coexistence:source") as { domain?: string } | undefined;
  return { sourceDomains: source?.domain ? [source.domain] : [] };
}

const TYPE = "pulumi-nodejs:dynamic/entra-coexistence:";

export function checkPolicies(previews: ReadonlyArray<{ stack: string; preview: PreviewJson }>): Violation[] {
  const violations: Violation[] = [];
  const deleted: DeletedGroup[] = [];
  const users: KeptUser[] = [];
  for (const { stack, preview } of previews) {
    const resources = policyResources(preview);
    const nameOf = (urn?: string) => (urn ? resourceName(urn) : undefined);
    for (const policy of RESOURCE_POLICIES) {
      for (const r of resources) {
        policy.validateResource(r, (message, urn) =>
          violations.push({ policy: policy.name, stack, resource: nameOf(urn ?? r.urn), message }),
        );
      }
    }
    const config = policyConfig(preview);
    for (const policy of STACK_POLICIES) {
      policy.validateStack({ resources, getConfig: <T>() => config as T }, (message, urn) =>
        violations.push({ policy: policy.name, stack, resource: nameOf(urn), message }),
      );
    }
    for (const r of resources.filter((x) => x.type === `${TYPE}ReachBackUser`)) {
      const mapping = (r.props.licenseGroupMapping ?? {}) as Record<string, string>;
      users.push({
        stack,
        name: r.name,
        reachBackGroupIds: Object.values(mapping).map((g) => g.toLowerCase()),
      });
    }
    for (const step of preview.steps) {
      if (!REMOVES_OLD.has(step.op) || stepType(step) !== `${TYPE}ReachBackLicenseGroup`) continue;
      if (deleted.some((d) => d.urn === step.urn && d.stack === stack)) continue;
      const outputs = step.oldState?.outputs;
      if (!outputs || typeof outputs.groupId !== "string") continue;
      deleted.push({
        stack,
        urn: step.urn,
        name: resourceName(step.urn),
        groupId: outputs.groupId,
        created: (outputs.ownership as { kind?: string } | undefined)?.kind === "created",
      });
    }
  }
  groupWithMembersDeleted(deleted, users, (message, urn) => {
    const g = deleted.find((d) => d.urn === urn);
    violations.push({
      policy: "no-delete-group-with-members",
      stack: g?.stack ?? "",
      resource: urn ? resourceName(urn) : undefined,
      message,
    });
  });
  return violations;
}
