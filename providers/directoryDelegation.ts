// DirectoryDelegation: the on-premises service account's rights for B2B reach-back (seed 000,
// "Provision Access for B2B Reach-Back Automation", on-premises part): Write Property on exactly
// six attributes of user objects below the OUs in scope, as inherit-only access control entries
// in each OU's security descriptor, and Write Property on `member` of the on-premises license
// groups.
//
// The resource holds that account's rights on those objects and nothing broader: an explicit
// entry of the account that gives more is removed; one inherited from a parent is reported (it
// must be removed where it is set). Drift (the kernel's model) is seen through two properties the
// declaration implies: `rights`, one line per declared right (a missing one drops out), and
// `broaderRights`, which must stay empty.
//
// Ownership: the account's explicit entries found on an object when the resource begins to hold
// it (at create, or when an OU or group is added to the declaration) are recorded in the state,
// as bytes, before any is removed. Destroy (or dropping the object from the declaration) takes
// away the declared entries and puts every recorded one back exactly, so the account ends with
// the rights it had before the stack.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { DELEGATED_USER_ATTRIBUTES, distinguishedName as dn } from "../lib/config/automation";
import type { DirectoryClient } from "../lib/directory/client";
import {
  type AttributeGrant,
  addGrants,
  type DelegationFinding,
  inspectDelegation,
  removeGrants,
} from "../lib/directory/delegation";
import {
  ACL_REVISION_DS,
  type Ace,
  aceFromBytes,
  aceToBytes,
  describeAce,
  INHERITED_ACE,
  SE_DACL_PRESENT,
  type SecurityDescriptor,
} from "../lib/directory/securityDescriptor";
import { withDirectory } from "./connections";
import { defineProvider, type Ownership, withCleanup } from "./kernel";

export const directoryDelegationInputsSchema = z
  .strictObject({
    /** The automation's account: svc-reachback@corp.contoso.com, CORP\\svc-reachback or svc-reachback. */
    serviceAccount: z.string().min(1),
    userOus: z.array(dn).min(1, { error: "name at least one OU" }),
    attributes: z
      .array(z.string().min(1))
      .min(1)
      .default([...DELEGATED_USER_ATTRIBUTES]),
    /** On-premises license groups whose membership the account changes (by name). */
    licenseGroupNames: z.array(z.string().min(1)).default([]),
  })
  .superRefine((i, ctx) => {
    const extra = i.attributes.filter((a) => !(DELEGATED_USER_ATTRIBUTES as readonly string[]).includes(a));
    if (extra.length > 0) {
      // Least privilege is the point of this resource: the seed lists exactly six.
      ctx.addIssue({
        code: "custom",
        path: ["attributes"],
        message: `${extra.join(", ")} ${extra.length > 1 ? "are" : "is"} not among the six attributes B2B reach-back writes (${DELEGATED_USER_ATTRIBUTES.join(", ")})`,
      });
    }
  });
export type DirectoryDelegationInputs = z.input<typeof directoryDelegationInputsSchema>;
type Inputs = z.output<typeof directoryDelegationInputsSchema>;

/** What the declaration implies AD has; compared with what it has after each read. */
interface Expected {
  /** One line per declared right, e.g. "OU=Users,…: write mail on user objects below". */
  rights: string[];
  /** The account's rights on those objects beyond the declared ones, explicit or inherited. */
  broaderRights: string[];
}

/** An entry of the account found on an object when the resource began to hold the object. */
export interface FoundEntry {
  dn: string;
  /** The entry in SDDL's ACE form, for people. */
  sddl: string;
  /** The entry's bytes (MS-DTYP 2.4.4), base64: what is written back. */
  ace: string;
  /** True: broader than declared, so removed by up; false: a declared right already in place. */
  removed: boolean;
}

export interface FoundEntries {
  entries: FoundEntry[];
}

interface Info extends Record<string, unknown> {
  serviceAccountDn: string;
  serviceAccountSid: string;
}

interface Target {
  dn: string;
  /** How the object is named in `rights`: the OU's DN as declared, or "group <name>". */
  label: string;
  grants: AttributeGrant[];
}

const rightLine = (label: string, attribute: string, belowClass?: string) =>
  belowClass ? `${label}: write ${attribute} on ${belowClass} objects below` : `${label}: write ${attribute}`;
const groupLabel = (name: string) => `group ${name}`;
const lineOf = (t: Target, g: AttributeGrant) =>
  rightLine(t.label, g.attribute, g.scope === "descendants" ? g.objectClass : undefined);
const sameDn = (a: string, b: string) =>
  a.toLowerCase().replace(/,\s+/g, ",") === b.toLowerCase().replace(/,\s+/g, ",");
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The lines of `rights` the declaration implies. */
export function declaredRights(i: Inputs): string[] {
  return [
    ...i.userOus.flatMap((ou) => i.attributes.map((a) => rightLine(ou, a, "user"))),
    ...i.licenseGroupNames.map((name) => rightLine(groupLabel(name), "member")),
  ].sort(byText);
}

export function canonicalInputs(i: Inputs): Inputs {
  return {
    ...i,
    userOus: [...i.userOus].sort(byText),
    attributes: [...new Set(i.attributes)].sort(byText),
    licenseGroupNames: [...new Set(i.licenseGroupNames)].sort(byText),
  };
}

const ownershipOf = (entries: FoundEntry[]): Ownership<FoundEntries> =>
  entries.length > 0 ? { kind: "adopted", found: { entries } } : { kind: "created" };
const foundOf = (o: Ownership<FoundEntries> | undefined): FoundEntry[] =>
  o?.kind === "adopted" ? o.found.entries : [];

const defined = defineProvider<
  typeof directoryDelegationInputsSchema,
  Expected,
  FoundEntries,
  Info,
  DirectoryDelegationArgs
>({
  type: "DirectoryDelegation",
  module: "dist/providers/directoryDelegation",
  schema: directoryDelegationInputsSchema,
  infoKeys: ["serviceAccountDn", "serviceAccountSid"],
  canonical: canonicalInputs,
  expected: {
    keys: ["rights", "broaderRights"],
    of: (i) => ({ rights: declaredRights(i), broaderRights: [] }),
  },
  observed: ["rights", "broaderRights"],
  replaceOn: (olds, news) =>
    olds.serviceAccount.toLowerCase() === news.serviceAccount.toLowerCase() ? [] : ["serviceAccount"],
  // One account's entries on one object are one set: a replacement that names the same account in
  // another spelling would otherwise take the old resource's entries for found ones, and what the
  // old resource recorded would be lost. So the old rights go (and the found ones come back) first.
  deleteBeforeReplace: true,
  describeReplace: (olds, news) => {
    const back = foundOf(olds.ownership).filter((e) => e.removed);
    return (
      `the rights of ${olds.serviceAccount} are taken away first` +
      (back.length > 0
        ? `, and the ${back.length} broader entr${back.length > 1 ? "ies" : "y"} it had before the stack are put back (${back.map((e) => `${e.dn}: ${e.sddl}`).join("; ")})`
        : "") +
      `; then ${news.serviceAccount} gets them, and its own broader explicit entries on those objects are removed and recorded`
    );
  },
  objectKey: (id) => `directory rights of account ${id}`,
  claim: (a) =>
    pulumi.interpolate`directory rights of ${pulumi.output(a.serviceAccount).apply((s) => s.toLowerCase())}`,

  // Before the kernel: nothing found was recorded (that version removed broader entries for good),
  // so there is nothing to put back; its own grants are still removed on delete.
  legacyOwnership: (s) => (typeof s.serviceAccountSid === "string" ? { kind: "created" } : undefined),

  async create(inputs) {
    return withDirectory(async (ad) => {
      const account = await mustFindAccount(ad, inputs.serviceAccount);
      const { targets, names } = await targetsOf(ad, inputs, "strict");
      const done: Target[] = [];
      const entries: FoundEntry[] = [];
      // Leave AD as it was if a later object fails: what was found on the earlier ones goes back.
      await withCleanup(
        async () => {
          for (const t of targets) {
            entries.push(...(await apply(ad, t, account.sid, inputs.serviceAccount, names, true)));
            done.push(t);
          }
        },
        {
          get describe() {
            return `${inputs.serviceAccount}'s rights on ${done.map((t) => t.dn).join("; ")}`;
          },
          run: async () => {
            for (const t of done) await takeBack(ad, account.sid, t.dn, t.grants, entries);
          },
        },
      );
      return { id: account.sid, ownership: ownershipOf(entries) };
    });
  },

  async observe(_id, inputs) {
    return withDirectory(async (ad) => {
      const account = await ad.findAccount(inputs.serviceAccount);
      if (!account) return undefined; // the account is gone, and its rights with it
      const { targets, names } = await targetsOf(ad, inputs, "lenient");
      const rights: string[] = [];
      const broaderRights: string[] = [];
      for (const t of targets) {
        const state = inspectDelegation(await ad.readSecurityDescriptor(t.dn), account.sid, t.grants, names);
        rights.push(...state.granted.map((g) => lineOf(t, g)));
        broaderRights.push(...state.broader.map((f) => broaderLine(t, f, names)));
      }
      return {
        live: { rights: rights.sort(byText), broaderRights: broaderRights.sort(byText) },
        info: { serviceAccountDn: account.dn, serviceAccountSid: account.sid },
      };
    });
  },

  async update(_id, olds, news) {
    return withDirectory(async (ad) => {
      const account = await mustFindAccount(ad, news.serviceAccount);
      const { targets, names } = await targetsOf(ad, news, "strict");
      const before = (await targetsOf(ad, olds, "lenient")).targets;
      let entries = [...foundOf(olds.ownership)];
      for (const t of targets) {
        // An object newly declared: what the account had there existed before the stack held it.
        const isNew = !before.some((b) => sameDn(b.dn, t.dn));
        entries.push(...(await apply(ad, t, account.sid, news.serviceAccount, names, isNew)));
      }
      for (const b of before.filter((b) => !targets.some((t) => sameDn(t.dn, b.dn)))) {
        await takeBack(ad, account.sid, b.dn, b.grants, entries);
        entries = entries.filter((e) => !sameDn(e.dn, b.dn));
      }
      return { ownership: ownershipOf(entries) };
    });
  },

  async remove(id, state) {
    await withDirectory((ad) => takeBackAll(ad, id, state, []));
  },

  async restore(id, state, found) {
    await withDirectory((ad) => takeBackAll(ad, id, state, found.entries));
  },
});

export const provider = defined.provider;

async function mustFindAccount(ad: DirectoryClient, name: string) {
  const account = await ad.findAccount(name);
  if (!account) {
    throw new Error(
      `the service account ${name} does not exist in Active Directory; create it (seed 000: a dedicated account for the automation) and run again; nothing was written`,
    );
  }
  return account;
}

/** The objects whose security descriptors carry the account's rights, the rights on each, and
 * names for the GUIDs in messages. "strict" refuses a missing OU or group before anything is
 * written; "lenient" skips it. */
async function targetsOf(
  ad: DirectoryClient,
  inputs: Inputs,
  mode: "strict" | "lenient",
): Promise<{ targets: Target[]; names: Map<string, string> }> {
  const guids = await ad.schemaIdGuids([...inputs.attributes, "user", "member", "group"]);
  const guid = (name: string) => guids.get(name) as string;
  const names = new Map([...guids].map(([name, g]) => [g.toLowerCase(), name]));
  const targets: Target[] = [];
  const problems: string[] = [];
  for (const ou of inputs.userOus) {
    if (!(await ad.entryExists(ou))) {
      problems.push(`OU ${ou} does not exist`);
      continue;
    }
    targets.push({
      dn: ou,
      label: ou,
      grants: inputs.attributes.map((attribute) => ({
        attribute,
        attributeGuid: guid(attribute),
        objectClass: "user",
        objectClassGuid: guid("user"),
        scope: "descendants" as const,
      })),
    });
  }
  for (const name of inputs.licenseGroupNames) {
    const group = await ad.findGroupByName(name);
    if (!group) {
      problems.push(`license group ${name} is not in AD under the configured baseDn`);
      continue;
    }
    targets.push({
      dn: group.dn,
      label: groupLabel(name),
      grants: [
        {
          attribute: "member",
          attributeGuid: guid("member"),
          objectClass: "group",
          objectClassGuid: guid("group"),
          scope: "object",
        },
      ],
    });
  }
  if (mode === "strict" && problems.length > 0) {
    throw new Error(
      `the delegation to ${inputs.serviceAccount} cannot be written: ${problems.join("; ")}; nothing was written`,
    );
  }
  return { targets, names };
}

function broaderLine(t: Target, f: DelegationFinding, names: ReadonlyMap<string, string>): string {
  return `${t.label}: ${describeAce(f.ace, names)}${f.explicit ? "" : " (inherited)"}: ${f.reason}`;
}

const entryOf = (
  dnOf: string,
  ace: Ace,
  removed: boolean,
  names: ReadonlyMap<string, string>,
): FoundEntry => ({
  dn: dnOf,
  sddl: describeAce(ace, names),
  ace: aceToBytes(ace).toString("base64"),
  removed,
});

/**
 * Adds the missing entries on one object and removes the account's broader explicit ones.
 * `record`: the object is new to the resource, so the account's entries there are returned as
 * found (those removed, and declared ones already in place) for destroy to put back.
 */
async function apply(
  ad: DirectoryClient,
  target: Target,
  sid: string,
  account: string,
  names: ReadonlyMap<string, string>,
  record: boolean,
): Promise<FoundEntry[]> {
  const sd = await ad.readSecurityDescriptor(target.dn);
  const state = inspectDelegation(sd, sid, target.grants, names);
  const removable = state.broader.filter((f) => f.explicit);
  for (const f of state.broader.filter((b) => !b.explicit)) {
    pulumi.log.warn(
      `${account} has a broader right on ${target.dn} inherited from a parent (${f.reason}: ${describeAce(f.ace, names)}); remove it where it is set`,
    );
  }
  const found: FoundEntry[] = [];
  if (record) {
    // The declared entries already in place are the ones removeGrants would take out.
    // In the DACL's order, so that destroy puts them back in it. The declared entries already in
    // place are the ones removeGrants would take out.
    const aces = sd.dacl?.aces ?? [];
    const kept = removeGrants(sd, sid, target.grants).dacl?.aces ?? aces;
    for (const a of aces) {
      if (!kept.includes(a)) found.push(entryOf(target.dn, a, false, names));
      else if (removable.some((f) => f.ace === a)) found.push(entryOf(target.dn, a, true, names));
    }
  }
  if (state.missing.length === 0 && removable.length === 0) return found;
  const pruned: SecurityDescriptor = {
    ...sd,
    dacl: sd.dacl && { ...sd.dacl, aces: sd.dacl.aces.filter((a) => !removable.some((f) => f.ace === a)) },
  };
  for (const f of removable) {
    pulumi.log.warn(
      record
        ? `removed a broader right of ${account} on ${target.dn}, which it had before this stack: ${f.reason} (${describeAce(f.ace, names)}); it is recorded in the stack's state and pulumi destroy puts it back`
        : `removed a broader right of ${account} on ${target.dn}: ${f.reason} (${describeAce(f.ace, names)})`,
    );
  }
  await ad.writeSecurityDescriptor(target.dn, addGrants(pruned, sid, state.missing));
  return found;
}

/** Takes the declared entries away on every object, and puts back what was found. */
async function takeBackAll(
  ad: DirectoryClient,
  sid: string,
  state: Inputs,
  entries: readonly FoundEntry[],
): Promise<void> {
  const { targets } = await targetsOf(ad, state, "lenient");
  for (const t of targets) await takeBack(ad, sid, t.dn, t.grants, entries);
  // Found on an object no longer reached by name (a license group renamed): put back by DN.
  const elsewhere = [...new Set(entries.map((e) => e.dn))].filter(
    (d) => !targets.some((t) => sameDn(t.dn, d)),
  );
  for (const d of elsewhere) {
    if (await ad.entryExists(d)) await takeBack(ad, sid, d, [], entries);
    else pulumi.log.warn(`${d} no longer exists: the entries found on it are not put back`);
  }
}

/** On one object: the declared entries taken away, the entries found there put back. */
async function takeBack(
  ad: DirectoryClient,
  sid: string,
  targetDn: string,
  grants: AttributeGrant[],
  entries: readonly FoundEntry[],
): Promise<void> {
  const sd = await ad.readSecurityDescriptor(targetDn);
  const here = entries.filter((e) => sameDn(e.dn, targetDn));
  const next = putBack(grants.length > 0 ? removeGrants(sd, sid, grants) : sd, here);
  if (next === sd) return;
  await ad.writeSecurityDescriptor(targetDn, next);
  const back = here.filter((e) => e.removed);
  if (back.length > 0) {
    pulumi.log.info(
      `put back on ${targetDn} what the account had before the stack: ${back.map((e) => e.sddl).join(", ")}`,
    );
  }
}

/**
 * The descriptor with the recorded entries that are not in it (byte for byte) added after its
 * explicit entries and before the inherited ones (canonical order: they are explicit allows),
 * in the order they were found. Returns `sd` itself when all are there.
 */
export function putBack(sd: SecurityDescriptor, entries: readonly FoundEntry[]): SecurityDescriptor {
  if (!sd.dacl) return sd;
  const present = new Set(sd.dacl.aces.map((a) => aceToBytes(a).toString("base64")));
  const missing = entries.filter(
    (e, i) => !present.has(e.ace) && entries.findIndex((x) => x.ace === e.ace) === i,
  );
  if (missing.length === 0) return sd;
  const firstInherited = sd.dacl.aces.findIndex((a) => (a.flags & INHERITED_ACE) !== 0);
  const at = firstInherited === -1 ? sd.dacl.aces.length : firstInherited;
  const aces = [
    ...sd.dacl.aces.slice(0, at),
    ...missing.map((e) => aceFromBytes(Buffer.from(e.ace, "base64"))),
    ...sd.dacl.aces.slice(at),
  ];
  return {
    ...sd,
    control: sd.control | SE_DACL_PRESENT,
    dacl: { revision: Math.max(sd.dacl.revision, ACL_REVISION_DS), aces },
  };
}

export interface DirectoryDelegationArgs {
  serviceAccount: pulumi.Input<string>;
  userOus: pulumi.Input<pulumi.Input<string>[]>;
  attributes?: pulumi.Input<pulumi.Input<string>[]>;
  licenseGroupNames?: pulumi.Input<pulumi.Input<string>[]>;
}

/** The reach-back service account's write rights in the source's AD, and nothing broader. */
export class DirectoryDelegation extends defined.Resource {
  declare readonly serviceAccountDn: pulumi.Output<string>;
  declare readonly serviceAccountSid: pulumi.Output<string>;
  /** The declared rights AD has, one line each, as of the last read. */
  declare readonly rights: pulumi.Output<string[]>;
  /** The account's rights beyond the declared ones, as of the last read; empty when none. */
  declare readonly broaderRights: pulumi.Output<string[]>;
  declare readonly ownership: pulumi.Output<Ownership<FoundEntries>>;
}
