// ReachBackLicenseGroup: the group that assigns the same SKUs as an existing license group of the
// source tenant with every plan that triggers proxy scrubbing disabled (seed 000, "Disabling EXO
// Service Plans"). A cloud reach-back group is created here; for a group synced from AD, the
// reach-back group is created in AD by the identity team and adopted here by name.
//
// Changing disabled plans is one assignLicense with the new disabledPlans, in place: members
// never lose the license, unlike a remove-then-add. Read reports drift of three kinds: the
// group's licenses edited by hand, the original group's SKUs changed, and a plan that triggers
// scrubbing (say, one Microsoft added to a SKU) left enabled in the reach-back group.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { licenseGroupMappingSchema, reachBackDisabledPlans } from "../lib/config/licenseGroups";
import { TENANT_ROLES, type TenantRole } from "../lib/config/stackConfig";
import { sameValue } from "../lib/crossTenantAccess/settings";
import {
  type AssignedLicense,
  assignLicenses,
  canonicalLicenses,
  countMembers,
  createSecurityGroup,
  deleteGroup,
  findGroupsByName,
  listSubscribedSkus,
  readGroup,
} from "../lib/licensing/licenseGroupApi";
import { describeReason, scrubbingPlansOf } from "../lib/licensing/servicePlans";
import { checkFailures, userInputs } from "./checkFailures";
import { configure, graphFor } from "./connections";
import { runtimeProvider } from "./runtimeProvider";

export const licenseGroupInputsSchema = z.strictObject({
  tenant: z.enum(TENANT_ROLES),
  mapping: licenseGroupMappingSchema,
  forceDisable: z.array(z.string()).default([]),
  neverDisable: z.array(z.string()).default([]),
});
export type LicenseGroupInputs = z.input<typeof licenseGroupInputsSchema>;
type Inputs = z.output<typeof licenseGroupInputsSchema>;

export interface LicenseGroupOutputs extends Inputs {
  groupId: string;
  /** True when this resource created the group (and so deletes it). */
  created: boolean;
  /** The reach-back group's licenses as Graph has them. */
  assigned: AssignedLicense[];
  /** The original group's licenses as Graph has them. */
  original: AssignedLicense[];
  /** Plans that trigger proxy scrubbing but are enabled in the reach-back group: must stay empty. */
  scrubbingPlansLeftEnabled: string[];
  /** The reach-back group assigns what the mapping and the catalogue ask, as of the last read. */
  assignedAsDeclared: boolean;
  /** The original group assigns what the mapping was reviewed for, as of the last read. */
  originalAsReviewed: boolean;
  memberCount: number;
}

const OUTPUT_ONLY = [
  "groupId",
  "created",
  "assigned",
  "original",
  "scrubbingPlansLeftEnabled",
  "assignedAsDeclared",
  "originalAsReviewed",
  "memberCount",
];

/** What the reach-back group must assign, from the reviewed mapping. */
export function desiredLicenses(inputs: Inputs): AssignedLicense[] {
  return canonicalLicenses(
    inputs.mapping.licenses.map((l) => ({ skuId: l.skuId, disabledPlans: reachBackDisabledPlans(l) })),
  );
}

/** What the mapping says the original group assigns. */
export function expectedOriginal(inputs: Inputs): AssignedLicense[] {
  return canonicalLicenses(
    inputs.mapping.licenses.map((l) => ({ skuId: l.skuId, disabledPlans: l.originalDisabledPlans })),
  );
}

export const provider: pulumi.dynamic.ResourceProvider<LicenseGroupInputs, LicenseGroupOutputs> = {
  configure,

  async check(_olds, news) {
    const parsed = licenseGroupInputsSchema.safeParse(userInputs(news, OUTPUT_ONLY));
    if (!parsed.success) return { failures: checkFailures(parsed.error) };
    return { inputs: parsed.data };
  },

  async diff(_id, olds, news) {
    const n = licenseGroupInputsSchema.parse(userInputs(news as Record<string, unknown>, OUTPUT_ONLY));
    const replaces: string[] = [];
    if (olds.tenant !== n.tenant) replaces.push("tenant");
    if (olds.mapping.originalGroupId !== n.mapping.originalGroupId) replaces.push("mapping.originalGroupId");
    if (olds.mapping.source !== n.mapping.source) replaces.push("mapping.source");
    if (
      n.mapping.source === "onPremises" &&
      olds.mapping.reachBackGroupName !== n.mapping.reachBackGroupName
    ) {
      replaces.push("mapping.reachBackGroupName"); // another AD group: adopt that one instead
    }
    // No network here: what the tenant looked like comes from the last read (refresh).
    const declared = {
      mapping: olds.mapping,
      forceDisable: olds.forceDisable,
      neverDisable: olds.neverDisable,
    };
    const changes =
      replaces.length > 0 ||
      !sameValue(declared, {
        mapping: n.mapping,
        forceDisable: n.forceDisable,
        neverDisable: n.neverDisable,
      }) ||
      !olds.assignedAsDeclared ||
      !olds.originalAsReviewed ||
      olds.scrubbingPlansLeftEnabled.length > 0;
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async create(news) {
    const inputs = licenseGroupInputsSchema.parse(userInputs(news as Record<string, unknown>, OUTPUT_ONLY));
    const graph = graphFor(inputs.tenant);
    const { mapping } = inputs;
    const original = await readGroup(graph, mapping.originalGroupId);
    if (!original) {
      throw new Error(
        `license group ${mapping.originalGroupName} (${mapping.originalGroupId}) does not exist in the ${inputs.tenant} tenant; run coex discover again and review the mapping`,
      );
    }
    checkOriginal(inputs, original.assignedLicenses);
    const existing = await findGroupsByName(graph, mapping.reachBackGroupName);
    if (existing.length > 1) {
      throw new Error(
        `${existing.length} groups are named ${mapping.reachBackGroupName}; rename all but one (ids ${existing.map((g) => g.id).join(", ")})`,
      );
    }
    let groupId: string;
    let created = false;
    if (mapping.source === "onPremises") {
      const synced = existing[0];
      if (synced?.onPremisesSyncEnabled !== true) {
        throw new Error(
          `the reach-back group ${mapping.reachBackGroupName} for ${mapping.originalGroupName} must be created in Active Directory ` +
            `(beside the original, which is synced from on-premises) and synced by Entra Connect before pulumi up; ` +
            (synced ? "a cloud group has that name" : "no group has that name in the tenant yet"),
        );
      }
      groupId = synced.id;
    } else if (existing[0]) {
      if (existing[0].onPremisesSyncEnabled === true) {
        throw new Error(
          `${mapping.reachBackGroupName} is synced from on-premises; the mapping says source: cloud`,
        );
      }
      groupId = existing[0].id; // adopted: a group of that name was made before this stack
    } else {
      const group = await createSecurityGroup(
        graph,
        mapping.reachBackGroupName,
        `B2B reach-back licenses of ${mapping.originalGroupName}, without the plans that trigger proxy scrubbing`,
      );
      groupId = group.id;
      created = true;
    }
    try {
      await assignLicenses(graph, groupId, await withNewScrubbingPlans(inputs, desiredLicenses(inputs)), []);
    } catch (e) {
      // Leave nothing half-made: a group created here without its licenses would be orphaned.
      if (created) await deleteGroup(graph, groupId).catch(() => undefined);
      throw e;
    }
    return { id: groupId, outs: await outputs(inputs, groupId, created) };
  },

  async read(id, props) {
    const p = props as LicenseGroupOutputs;
    const graph = graphFor(p.tenant);
    const group = await readGroup(graph, id);
    if (!group) return {};
    return { id, props: await outputs(p, id, p.created, group.assignedLicenses) };
  },

  async update(id, olds, news) {
    const inputs = licenseGroupInputsSchema.parse(userInputs(news as Record<string, unknown>, OUTPUT_ONLY));
    const graph = graphFor(inputs.tenant);
    const original = await readGroup(graph, inputs.mapping.originalGroupId);
    if (!original)
      throw new Error(
        `license group ${inputs.mapping.originalGroupName} no longer exists; review the mapping`,
      );
    checkOriginal(inputs, original.assignedLicenses);
    const now = (await readGroup(graph, id))?.assignedLicenses ?? [];
    const desired = await withNewScrubbingPlans(inputs, desiredLicenses(inputs));
    // One call: changed SKUs re-added with their new disabled plans (in place), stale ones removed.
    const add = desired.filter((d) => !now.some((n) => sameValue(n, d)));
    const remove = now.filter((n) => !desired.some((d) => d.skuId === n.skuId)).map((n) => n.skuId);
    if (add.length + remove.length > 0) {
      const members = await countMembers(graph, id);
      pulumi.log.info(
        `${inputs.mapping.reachBackGroupName}: assignLicense in place (${add.length} SKU(s) changed, ${remove.length} removed) for ${members} member(s)`,
      );
      await assignLicenses(graph, id, add, remove);
    }
    if (
      inputs.mapping.source === "cloud" &&
      olds.mapping.reachBackGroupName !== inputs.mapping.reachBackGroupName
    ) {
      await graph.patch(`/groups/${id}`, { displayName: inputs.mapping.reachBackGroupName });
    }
    return { outs: await outputs(inputs, id, olds.created) };
  },

  async delete(id, props) {
    const graph = graphFor(props.tenant);
    const group = await readGroup(graph, id);
    if (!group) return;
    // Licenses go first: Graph refuses to delete a group that still assigns them.
    await assignLicenses(
      graph,
      id,
      [],
      group.assignedLicenses.map((l) => l.skuId),
    );
    if (props.created) await deleteGroup(graph, id);
  },
};

/** Refuses to go on when the original group no longer assigns what the reviewed mapping says. */
function checkOriginal(inputs: Inputs, actual: AssignedLicense[]): void {
  const expected = expectedOriginal(inputs);
  if (!sameValue(canonicalLicenses(actual), expected)) {
    const fmt = (ls: AssignedLicense[]) =>
      ls.map((l) => `${l.skuId} (disabled: ${l.disabledPlans.length})`).join(", ") || "none";
    throw new Error(
      `license group ${inputs.mapping.originalGroupName} (${inputs.mapping.originalGroupId}) now assigns ${fmt(canonicalLicenses(actual))}, ` +
        `but the mapping was reviewed for ${fmt(expected)}: run coex discover, review the change and update the stack configuration; nothing was written`,
    );
  }
}

/** Adds plans that trigger scrubbing but are not yet in the mapping (Microsoft added them to the
 * SKU since discovery), so the reach-back group never licenses them. */
async function withNewScrubbingPlans(inputs: Inputs, desired: AssignedLicense[]): Promise<AssignedLicense[]> {
  const skus = await listSubscribedSkus(graphFor(inputs.tenant));
  const overrides = { forceDisable: inputs.forceDisable, neverDisable: inputs.neverDisable };
  return canonicalLicenses(
    desired.map((d) => {
      const sku = skus.find((s) => s.skuId.toLowerCase() === d.skuId);
      const extra = sku
        ? scrubbingPlansOf(sku.servicePlans, overrides).map((p) => p.servicePlanId.toLowerCase())
        : [];
      return { skuId: d.skuId, disabledPlans: [...new Set([...d.disabledPlans, ...extra])] };
    }),
  );
}

async function outputs(
  inputs: Inputs,
  groupId: string,
  created: boolean,
  assignedNow?: AssignedLicense[],
): Promise<LicenseGroupOutputs> {
  const graph = graphFor(inputs.tenant);
  const assigned = assignedNow ?? (await readGroup(graph, groupId))?.assignedLicenses ?? [];
  const original = (await readGroup(graph, inputs.mapping.originalGroupId))?.assignedLicenses ?? [];
  const declared = await withNewScrubbingPlans(inputs, desiredLicenses(inputs));
  const skus = await listSubscribedSkus(graph);
  const overrides = { forceDisable: inputs.forceDisable, neverDisable: inputs.neverDisable };
  const leftEnabled: string[] = [];
  for (const a of assigned) {
    const sku = skus.find((s) => s.skuId.toLowerCase() === a.skuId);
    for (const plan of sku ? scrubbingPlansOf(sku.servicePlans, overrides) : []) {
      if (!a.disabledPlans.includes(plan.servicePlanId.toLowerCase())) {
        leftEnabled.push(
          `${sku?.skuPartNumber}: ${plan.servicePlanName} (${plan.servicePlanId}), ${describeReason(plan.reason)}`,
        );
      }
    }
  }
  return {
    ...inputs,
    groupId,
    created,
    assigned,
    original,
    scrubbingPlansLeftEnabled: leftEnabled.sort(),
    assignedAsDeclared: sameValue(canonicalLicenses(assigned), declared),
    originalAsReviewed: sameValue(canonicalLicenses(original), expectedOriginal(inputs)),
    memberCount: await countMembers(graph, groupId),
  };
}

export interface ReachBackLicenseGroupArgs {
  tenant: pulumi.Input<TenantRole>;
  mapping: pulumi.Input<z.input<typeof licenseGroupMappingSchema>>;
  forceDisable?: pulumi.Input<string[]>;
  neverDisable?: pulumi.Input<string[]>;
}

/** A reach-back license group beside an existing license group. */
export class ReachBackLicenseGroup extends pulumi.dynamic.Resource {
  declare readonly groupId: pulumi.Output<string>;
  declare readonly created: pulumi.Output<boolean>;
  declare readonly assigned: pulumi.Output<AssignedLicense[]>;
  declare readonly original: pulumi.Output<AssignedLicense[]>;
  declare readonly scrubbingPlansLeftEnabled: pulumi.Output<string[]>;
  declare readonly assignedAsDeclared: pulumi.Output<boolean>;
  declare readonly originalAsReviewed: pulumi.Output<boolean>;
  declare readonly memberCount: pulumi.Output<number>;

  constructor(name: string, args: ReachBackLicenseGroupArgs, opts?: pulumi.CustomResourceOptions) {
    const outputsOnly = Object.fromEntries(OUTPUT_ONLY.map((k) => [k, undefined]));
    super(
      runtimeProvider("dist/providers/reachBackLicenseGroup"),
      name,
      { ...outputsOnly, ...args },
      opts,
      "entra-coexistence",
      "ReachBackLicenseGroup",
    );
  }
}
