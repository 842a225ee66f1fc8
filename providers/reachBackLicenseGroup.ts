// ReachBackLicenseGroup: the group that assigns the same SKUs as an existing license group of the
// source tenant with every plan that triggers proxy scrubbing disabled (seed 000, "Disabling EXO
// Service Plans"). A cloud reach-back group is created here; for a group synced from AD, the
// reach-back group is created in AD by the identity team and adopted here by name.
//
// Changing disabled plans is one assignLicense with the new disabledPlans, in place: members
// never lose the license, unlike a remove-then-add. Drift (the kernel's model) shows in
// `assignedLicenses` (edited by hand), `originalLicenses` (the original group's SKUs changed since
// the mapping was reviewed) and `scrubbingPlansLeftEnabled` (say, a plan Microsoft added).
//
// Members are what matters here: destroy and replace never take a license away from a member.
// A group that has members is neither unlicensed nor deleted: it is refused, naming the group and
// its member count. An adopted group gets back exactly the licenses it had when found.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { licenseGroupMappingSchema, reachBackDisabledPlans } from "../lib/config/licenseGroups";
import { TENANT_ROLES, type TenantRole } from "../lib/config/stackConfig";
import { sameValue } from "../lib/crossTenantAccess/settings";
import type { GraphClient } from "../lib/graph/client";
import {
  type AssignedLicense,
  assignLicenses,
  canonicalLicenses,
  countMembers,
  createSecurityGroup,
  deleteGroup,
  findGroupsByName,
  type LicenseGroup,
  listSubscribedSkus,
  readGroup,
  renameGroup,
  type SubscribedSku,
} from "../lib/licensing/licenseGroupApi";
import { describeReason, scrubbingPlansOf } from "../lib/licensing/servicePlans";
import { graphFor } from "./connections";
import { defineProvider, type State, withCleanup } from "./kernel";

export const licenseGroupInputsSchema = z.strictObject({
  tenant: z.enum(TENANT_ROLES),
  mapping: licenseGroupMappingSchema,
  forceDisable: z.array(z.string()).default([]),
  neverDisable: z.array(z.string()).default([]),
});
export type LicenseGroupInputs = z.input<typeof licenseGroupInputsSchema>;
type Inputs = z.output<typeof licenseGroupInputsSchema>;

/** What the declaration implies the tenant has; compared with what it has after each read. */
interface Expected {
  /** The reach-back group's licenses: the original's SKUs, its disabled plans + the scrubbing plans. */
  assignedLicenses: AssignedLicense[];
  /** The original group's licenses as the mapping was reviewed for. */
  originalLicenses: AssignedLicense[];
  /** Plans that trigger proxy scrubbing but are enabled in the reach-back group: must stay empty. */
  scrubbingPlansLeftEnabled: string[];
}

interface Found {
  /** The licenses the group assigned when this resource adopted it. */
  licenses: AssignedLicense[];
}

// No member count here: members come and go every wave, and a changing output would read as drift.
interface Info extends Record<string, unknown> {
  groupId: string;
}

type St = State<Inputs & Expected, Found, Info>;

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

const groupKey = (tenant: string, name: string) => `${tenant} tenant's group ${name.toLowerCase()}`;

const defined = defineProvider<
  typeof licenseGroupInputsSchema,
  Expected,
  Found,
  Info,
  ReachBackLicenseGroupArgs
>({
  type: "ReachBackLicenseGroup",
  module: "dist/providers/reachBackLicenseGroup",
  schema: licenseGroupInputsSchema,
  infoKeys: ["groupId"],
  expected: {
    keys: ["assignedLicenses", "originalLicenses", "scrubbingPlansLeftEnabled"],
    of: (i) => ({
      assignedLicenses: desiredLicenses(i),
      originalLicenses: expectedOriginal(i),
      scrubbingPlansLeftEnabled: [],
    }),
  },
  observed: ["assignedLicenses", "originalLicenses", "scrubbingPlansLeftEnabled"],
  // Another original group, or a group from another place: another reach-back group. For a
  // cloud group a new name is a rename in place; for an AD group, another group to adopt.
  replaceOn: (olds, news) => {
    const r: string[] = [];
    if (olds.tenant !== news.tenant) r.push("tenant");
    if (olds.mapping.originalGroupId !== news.mapping.originalGroupId) r.push("mapping.originalGroupId");
    if (olds.mapping.source !== news.mapping.source) r.push("mapping.source");
    if (
      news.mapping.source === "onPremises" &&
      olds.mapping.reachBackGroupName !== news.mapping.reachBackGroupName
    ) {
      r.push("mapping.reachBackGroupName");
    }
    return r;
  },
  describeReplace: (olds, news) => {
    const sameGroup =
      olds.tenant === news.tenant &&
      olds.mapping.reachBackGroupName.toLowerCase() === news.mapping.reachBackGroupName.toLowerCase();
    return sameGroup
      ? `the replacement takes over the group ${olds.mapping.reachBackGroupName} (${olds.groupId}) as it is: its members keep their licenses and the group is not deleted`
      : `${news.mapping.reachBackGroupName} is used from now on; the old group ${olds.mapping.reachBackGroupName} (${olds.groupId}) ` +
          "is unlicensed or deleted only if it has no members: if members are still in it, pulumi up stops there, naming the group and how many";
  },
  objectKey: (id, i) => `${i.tenant} tenant's group ${id}`,
  claim: (a) =>
    pulumi
      .all([a.tenant, a.mapping])
      .apply(([tenant, mapping]) => groupKey(tenant, mapping.reachBackGroupName)),

  async create(inputs) {
    const graph = graphFor(inputs.tenant);
    const { mapping } = inputs;
    await mustReadOriginal(graph, inputs);
    const existing = await findGroupsByName(graph, mapping.reachBackGroupName);
    if (existing.length > 1) {
      throw new Error(
        `${existing.length} groups are named ${mapping.reachBackGroupName}; rename all but one (ids ${existing.map((g) => g.id).join(", ")}); nothing was written`,
      );
    }
    const licenses = await withNewScrubbingPlans(graph, inputs, desiredLicenses(inputs));
    const found = existing[0];
    if (mapping.source === "onPremises" && found?.onPremisesSyncEnabled !== true) {
      throw new Error(
        `the reach-back group ${mapping.reachBackGroupName} for ${mapping.originalGroupName} must be created in Active Directory ` +
          `(beside the original, which is synced from on-premises) and synced by Entra Connect before pulumi up; ` +
          `${found ? "a cloud group has that name" : "no group has that name in the tenant yet"}; nothing was written`,
      );
    }
    if (mapping.source === "cloud" && found?.onPremisesSyncEnabled === true) {
      throw new Error(
        `${mapping.reachBackGroupName} is synced from on-premises, but the mapping for ${mapping.originalGroupName} says source: cloud; nothing was written`,
      );
    }
    if (found) {
      // Made before this resource (by hand, in AD, or by a resource this one replaces): adopt it
      // and remember its licenses, which destroy puts back.
      await assignLicenses(graph, found.id, changedLicenses(found.assignedLicenses, licenses), []);
      return { id: found.id, ownership: { kind: "adopted", found: { licenses: found.assignedLicenses } } };
    }
    const group = await createSecurityGroup(
      graph,
      mapping.reachBackGroupName,
      `B2B reach-back licenses of ${mapping.originalGroupName}, without the plans that trigger proxy scrubbing`,
    );
    // Leave nothing half-made: a group created here without its licenses would be orphaned.
    await withCleanup(() => assignLicenses(graph, group.id, licenses, []), {
      describe: `the new group ${mapping.reachBackGroupName} (${group.id})`,
      run: () => deleteGroup(graph, group.id),
    });
    return { id: group.id, ownership: { kind: "created" } };
  },

  async observe(id, inputs) {
    const graph = graphFor(inputs.tenant);
    const group = await readGroup(graph, id);
    if (!group) return undefined;
    const original = await readGroup(graph, inputs.mapping.originalGroupId);
    const skus = await listSubscribedSkus(graph);
    return {
      live: {
        assignedLicenses: asDeclared(group.assignedLicenses, skus, inputs),
        originalLicenses: original?.assignedLicenses ?? [],
        scrubbingPlansLeftEnabled: leftEnabled(group.assignedLicenses, skus, inputs),
      },
      info: { groupId: id },
    };
  },

  async update(id, olds, news) {
    const graph = graphFor(news.tenant);
    await mustReadOriginal(graph, news);
    const now = (await readGroup(graph, id))?.assignedLicenses ?? [];
    const desired = await withNewScrubbingPlans(graph, news, desiredLicenses(news));
    const add = changedLicenses(now, desired);
    // Only SKUs this resource assigned are taken away: what an adopted group had stays.
    const found = olds.ownership.kind === "adopted" ? olds.ownership.found.licenses : [];
    const remove = now
      .filter((n) => !desired.some((d) => d.skuId === n.skuId) && !found.some((f) => f.skuId === n.skuId))
      .map((n) => n.skuId);
    if (add.length + remove.length > 0) {
      const members = await countMembers(graph, id);
      pulumi.log.info(
        `${news.mapping.reachBackGroupName}: assignLicense in place (${add.length} SKU(s) changed, ${remove.length} removed) for ${members} member(s)`,
      );
      await assignLicenses(graph, id, add, remove);
    }
    if (
      news.mapping.source === "cloud" &&
      olds.mapping.reachBackGroupName !== news.mapping.reachBackGroupName
    ) {
      await renameGroup(graph, id, news.mapping.reachBackGroupName);
    }
  },

  async remove(id, state) {
    const graph = graphFor(state.tenant);
    const group = await readGroup(graph, id);
    if (!group) return;
    await refuseIfMembersWouldLoseLicenses(graph, state, group, "delete it");
    // Licenses go first: Graph refuses to delete a group that still assigns them.
    await assignLicenses(
      graph,
      id,
      [],
      group.assignedLicenses.map((l) => l.skuId),
    );
    await deleteGroup(graph, id);
  },

  async restore(id, state, found) {
    const graph = graphFor(state.tenant);
    const group = await readGroup(graph, id);
    if (!group) return;
    const remove = group.assignedLicenses
      .filter((l) => !found.licenses.some((f) => f.skuId === l.skuId))
      .map((l) => l.skuId);
    if (remove.length > 0)
      await refuseIfMembersWouldLoseLicenses(
        graph,
        state,
        group,
        "give it back the licenses it had when adopted",
      );
    await assignLicenses(graph, id, changedLicenses(group.assignedLicenses, found.licenses), remove);
  },
});

export const provider = defined.provider;

/** Members keep their licenses: a group with members is not unlicensed or deleted. */
async function refuseIfMembersWouldLoseLicenses(
  graph: GraphClient,
  state: St,
  group: LicenseGroup,
  action: string,
): Promise<void> {
  const members = await countMembers(graph, group.id);
  if (members === 0) return;
  throw new Error(
    `the reach-back group ${group.displayName} (${group.id}) has ${members} member(s), who would lose their licenses if this resource went on to ${action}: ` +
      `move the members back to ${state.mapping.originalGroupName} first (the users' rollback), or keep the group with the resource option retainOnDelete ` +
      "(or pulumi state delete); nothing was changed",
  );
}

/** Refuses to go on when the original group no longer assigns what the reviewed mapping says.
 * A stale mapping (coex discover no longer sees its original) is exempt: its group is kept as
 * it is until the mapping is pruned. */
async function mustReadOriginal(graph: GraphClient, inputs: Inputs): Promise<void> {
  const { mapping } = inputs;
  if (mapping.stale) return;
  const original = await readGroup(graph, mapping.originalGroupId);
  if (!original) {
    throw new Error(
      `license group ${mapping.originalGroupName} (${mapping.originalGroupId}) does not exist in the ${inputs.tenant} tenant; run coex discover again and review the mapping; nothing was written`,
    );
  }
  const expected = expectedOriginal(inputs);
  if (!sameValue(original.assignedLicenses, expected)) {
    const fmt = (ls: AssignedLicense[]) =>
      ls.map((l) => `${l.skuId} (disabled: ${l.disabledPlans.length})`).join(", ") || "none";
    throw new Error(
      `license group ${mapping.originalGroupName} (${mapping.originalGroupId}) now assigns ${fmt(original.assignedLicenses)}, ` +
        `but the mapping was reviewed for ${fmt(expected)}: run coex discover, review the change and update the stack configuration; nothing was written`,
    );
  }
}

/** The licenses of `want` that `have` does not assign exactly so (one assignLicense adds or changes them). */
function changedLicenses(
  have: readonly AssignedLicense[],
  want: readonly AssignedLicense[],
): AssignedLicense[] {
  return want.filter((w) => !have.some((h) => sameValue(h, w)));
}

function scrubbingPlanIds(sku: SubscribedSku | undefined, inputs: Inputs): string[] {
  const overrides = { forceDisable: inputs.forceDisable, neverDisable: inputs.neverDisable };
  return sku ? scrubbingPlansOf(sku.servicePlans, overrides).map((p) => p.servicePlanId.toLowerCase()) : [];
}

/** Adds plans that trigger scrubbing but are not yet in the mapping (Microsoft added them to the
 * SKU since discovery), so the reach-back group never licenses them. */
async function withNewScrubbingPlans(
  graph: GraphClient,
  inputs: Inputs,
  desired: AssignedLicense[],
): Promise<AssignedLicense[]> {
  const skus = await listSubscribedSkus(graph);
  return canonicalLicenses(
    desired.map((d) => {
      const extra = scrubbingPlanIds(
        skus.find((s) => s.skuId.toLowerCase() === d.skuId),
        inputs,
      );
      return { skuId: d.skuId, disabledPlans: [...new Set([...d.disabledPlans, ...extra])] };
    }),
  );
}

/** The group's licenses in the declared shape: scrubbing plans disabled beyond the mapping (added
 * by withNewScrubbingPlans) are the catalogue's business, reported by scrubbingPlansLeftEnabled. */
function asDeclared(assigned: AssignedLicense[], skus: SubscribedSku[], inputs: Inputs): AssignedLicense[] {
  const declared = desiredLicenses(inputs);
  return canonicalLicenses(
    assigned.map((a) => {
      const mine = declared.find((d) => d.skuId === a.skuId)?.disabledPlans ?? [];
      const auto = scrubbingPlanIds(
        skus.find((s) => s.skuId.toLowerCase() === a.skuId),
        inputs,
      );
      return {
        skuId: a.skuId,
        disabledPlans: a.disabledPlans.filter((p) => mine.includes(p) || !auto.includes(p)),
      };
    }),
  );
}

function leftEnabled(assigned: AssignedLicense[], skus: SubscribedSku[], inputs: Inputs): string[] {
  const overrides = { forceDisable: inputs.forceDisable, neverDisable: inputs.neverDisable };
  const out: string[] = [];
  for (const a of assigned) {
    const sku = skus.find((s) => s.skuId.toLowerCase() === a.skuId);
    for (const plan of sku ? scrubbingPlansOf(sku.servicePlans, overrides) : []) {
      if (!a.disabledPlans.includes(plan.servicePlanId.toLowerCase())) {
        out.push(
          `${sku?.skuPartNumber}: ${plan.servicePlanName} (${plan.servicePlanId}), ${describeReason(plan.reason)}`,
        );
      }
    }
  }
  return out.sort();
}

export interface ReachBackLicenseGroupArgs {
  tenant: pulumi.Input<TenantRole>;
  mapping: pulumi.Input<z.input<typeof licenseGroupMappingSchema>>;
  forceDisable?: pulumi.Input<string[]>;
  neverDisable?: pulumi.Input<string[]>;
}

/** A reach-back license group beside an existing license group. */
export class ReachBackLicenseGroup extends defined.Resource {
  declare readonly groupId: pulumi.Output<string>;
  declare readonly ownership: pulumi.Output<{ kind: "created" } | { kind: "adopted"; found: Found }>;
  /** The reach-back group's licenses as Graph has them, in the declared shape. */
  declare readonly assignedLicenses: pulumi.Output<AssignedLicense[]>;
  /** The original group's licenses as Graph has them. */
  declare readonly originalLicenses: pulumi.Output<AssignedLicense[]>;
  declare readonly scrubbingPlansLeftEnabled: pulumi.Output<string[]>;
}
