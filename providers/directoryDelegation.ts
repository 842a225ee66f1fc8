// DirectoryDelegation: the on-premises service account's rights for B2B reach-back (seed 000,
// "Provision Access for B2B Reach-Back Automation", on-premises part): Write Property on exactly
// six attributes of user objects below the OUs in scope, as inherit-only access control entries
// in each OU's security descriptor, and Write Property on `member` of the on-premises license
// groups. The resource owns that account's rights on those objects: anything broader found there
// is removed (and logged), and read reports drift when an entry is missing or a broader one
// appears, including one inherited from above.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { DELEGATED_USER_ATTRIBUTES, distinguishedName as dn } from "../lib/config/automation";
import type { DirectoryClient } from "../lib/directory/client";
import { type AttributeGrant, addGrants, inspectDelegation, removeGrants } from "../lib/directory/delegation";
import { describeAce, type SecurityDescriptor } from "../lib/directory/securityDescriptor";
import { checkFailures, userInputs } from "./checkFailures";
import { configure, withDirectory } from "./connections";
import { runtimeProvider } from "./runtimeProvider";

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

export interface DirectoryDelegationOutputs extends Inputs {
  serviceAccountDn: string;
  serviceAccountSid: string;
  /** The rights in place, one line each, as of the last read. */
  granted: string[];
  /** Missing or broader rights, in words; empty when AD matches the declaration. */
  drift: string[];
}

const OUTPUT_ONLY = ["serviceAccountDn", "serviceAccountSid", "granted", "drift"];

interface Target {
  dn: string;
  grants: AttributeGrant[];
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  JSON.stringify([...a].map((x) => x.toLowerCase()).sort()) ===
  JSON.stringify([...b].map((x) => x.toLowerCase()).sort());

export const provider: pulumi.dynamic.ResourceProvider<
  DirectoryDelegationInputs,
  DirectoryDelegationOutputs
> = {
  configure,

  async check(_olds, news) {
    const parsed = directoryDelegationInputsSchema.safeParse(userInputs(news, OUTPUT_ONLY));
    if (!parsed.success) return { failures: checkFailures(parsed.error) };
    return { inputs: parsed.data };
  },

  async diff(_id, olds, news) {
    const n = directoryDelegationInputsSchema.parse(userInputs(news as Record<string, unknown>, OUTPUT_ONLY));
    const replaces =
      olds.serviceAccount.toLowerCase() === n.serviceAccount.toLowerCase() ? [] : ["serviceAccount"];
    const changes =
      replaces.length > 0 ||
      !sameList(olds.userOus, n.userOus) ||
      !sameList(olds.attributes, n.attributes) ||
      !sameList(olds.licenseGroupNames, n.licenseGroupNames) ||
      olds.drift.length > 0;
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async create(news) {
    const inputs = directoryDelegationInputsSchema.parse(
      userInputs(news as Record<string, unknown>, OUTPUT_ONLY),
    );
    return withDirectory(async (ad) => {
      const account = await mustFindAccount(ad, inputs.serviceAccount);
      const targets = await targetsOf(ad, inputs, "strict");
      for (const t of targets) await apply(ad, t, account.sid, inputs.serviceAccount);
      return { id: account.sid, outs: await outputs(ad, inputs) };
    });
  },

  async read(id, props) {
    const p = props as DirectoryDelegationOutputs;
    return withDirectory(async (ad) => {
      const account = await ad.findAccount(p.serviceAccount);
      if (!account) return {}; // the account is gone, and its rights with it
      return { id, props: await outputs(ad, p) };
    });
  },

  async update(_id, olds, news) {
    const inputs = directoryDelegationInputsSchema.parse(
      userInputs(news as Record<string, unknown>, OUTPUT_ONLY),
    );
    return withDirectory(async (ad) => {
      const account = await mustFindAccount(ad, inputs.serviceAccount);
      const targets = await targetsOf(ad, inputs, "strict");
      for (const t of targets) await apply(ad, t, account.sid, inputs.serviceAccount);
      // What was declared before and no longer is: taken away.
      for (const old of await targetsOf(ad, olds, "lenient")) {
        const kept = targets.find((t) => t.dn.toLowerCase() === old.dn.toLowerCase());
        const drop = old.grants.filter(
          (g) =>
            !kept?.grants.some(
              (k) => k.attributeGuid === g.attributeGuid && k.objectClassGuid === g.objectClassGuid,
            ),
        );
        if (drop.length > 0) await revoke(ad, old.dn, account.sid, drop);
      }
      return { outs: await outputs(ad, inputs) };
    });
  },

  async delete(_id, props) {
    await withDirectory(async (ad) => {
      const account = await ad.findAccount(props.serviceAccount);
      if (!account) return;
      for (const t of await targetsOf(ad, props, "lenient")) await revoke(ad, t.dn, account.sid, t.grants);
    });
  },
};

async function mustFindAccount(ad: DirectoryClient, name: string) {
  const account = await ad.findAccount(name);
  if (!account) {
    throw new Error(
      `the service account ${name} does not exist in Active Directory; create it (seed 000: a dedicated account for the automation) and run again; nothing was written`,
    );
  }
  return account;
}

/** The objects whose security descriptors carry the account's rights, and the rights on each.
 * "strict" refuses a missing OU or group before anything is written; "lenient" skips it. */
async function targetsOf(ad: DirectoryClient, inputs: Inputs, mode: "strict" | "lenient"): Promise<Target[]> {
  const guids = await ad.schemaIdGuids([...inputs.attributes, "user", "member", "group"]);
  const guid = (name: string) => guids.get(name) as string;
  const targets: Target[] = [];
  const problems: string[] = [];
  for (const ou of inputs.userOus) {
    if (!(await ad.entryExists(ou))) {
      problems.push(`OU ${ou} does not exist`);
      continue;
    }
    targets.push({
      dn: ou,
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
  return targets;
}

/** Adds the missing entries and removes the account's broader explicit ones on one object. */
async function apply(ad: DirectoryClient, target: Target, sid: string, account: string): Promise<void> {
  const sd = await ad.readSecurityDescriptor(target.dn);
  const state = inspectDelegation(sd, sid, target.grants);
  const removable = state.broader.filter((f) => f.explicit);
  for (const f of state.broader.filter((b) => !b.explicit)) {
    pulumi.log.warn(
      `${account} has a broader right on ${target.dn} inherited from a parent (${f.reason}: ${describeAce(f.ace)}); remove it where it is set`,
    );
  }
  if (state.missing.length === 0 && removable.length === 0) return;
  const pruned: SecurityDescriptor = {
    ...sd,
    dacl: sd.dacl && { ...sd.dacl, aces: sd.dacl.aces.filter((a) => !removable.some((f) => f.ace === a)) },
  };
  for (const f of removable) {
    pulumi.log.warn(
      `removed a broader right of ${account} on ${target.dn}: ${f.reason} (${describeAce(f.ace)})`,
    );
  }
  await ad.writeSecurityDescriptor(target.dn, addGrants(pruned, sid, state.missing));
}

async function revoke(
  ad: DirectoryClient,
  targetDn: string,
  sid: string,
  grants: AttributeGrant[],
): Promise<void> {
  const sd = await ad.readSecurityDescriptor(targetDn);
  if (inspectDelegation(sd, sid, grants).granted.length === 0) return;
  await ad.writeSecurityDescriptor(targetDn, removeGrants(sd, sid, grants));
}

function describeGrant(dnOf: string, g: AttributeGrant): string {
  return g.scope === "descendants"
    ? `${dnOf}: write ${g.attribute} on ${g.objectClass} objects below`
    : `${dnOf}: write ${g.attribute}`;
}

async function outputs(ad: DirectoryClient, inputs: Inputs): Promise<DirectoryDelegationOutputs> {
  const account = await mustFindAccount(ad, inputs.serviceAccount);
  const granted: string[] = [];
  const drift: string[] = [];
  const targets = await targetsOf(ad, inputs, "lenient");
  for (const ou of inputs.userOus) {
    if (!targets.some((t) => t.dn === ou)) drift.push(`OU ${ou} does not exist`);
  }
  const groupTargets = targets.filter((t) => t.grants[0]?.objectClass === "group").length;
  if (groupTargets < inputs.licenseGroupNames.length) drift.push("a declared license group is not in AD");
  for (const t of targets) {
    const state = inspectDelegation(await ad.readSecurityDescriptor(t.dn), account.sid, t.grants);
    for (const g of state.granted) granted.push(describeGrant(t.dn, g));
    for (const g of state.missing) drift.push(`missing: ${describeGrant(t.dn, g)}`);
    for (const f of state.broader) {
      drift.push(
        `broader${f.explicit ? "" : " (inherited)"} on ${t.dn}: ${f.reason} (${describeAce(f.ace)})`,
      );
    }
  }
  return {
    ...inputs,
    serviceAccountDn: account.dn,
    serviceAccountSid: account.sid,
    granted: granted.sort(),
    drift,
  };
}

export interface DirectoryDelegationArgs {
  serviceAccount: pulumi.Input<string>;
  userOus: pulumi.Input<pulumi.Input<string>[]>;
  attributes?: pulumi.Input<pulumi.Input<string>[]>;
  licenseGroupNames?: pulumi.Input<pulumi.Input<string>[]>;
}

/** The reach-back service account's write rights in the source's AD, and nothing broader. */
export class DirectoryDelegation extends pulumi.dynamic.Resource {
  declare readonly serviceAccountDn: pulumi.Output<string>;
  declare readonly serviceAccountSid: pulumi.Output<string>;
  declare readonly granted: pulumi.Output<string[]>;
  declare readonly drift: pulumi.Output<string[]>;

  constructor(name: string, args: DirectoryDelegationArgs, opts?: pulumi.CustomResourceOptions) {
    const outputsOnly = Object.fromEntries(OUTPUT_ONLY.map((k) => [k, undefined]));
    super(
      runtimeProvider("dist/providers/directoryDelegation"),
      name,
      { ...outputsOnly, ...args },
      opts,
      "entra-coexistence",
      "DirectoryDelegation",
    );
  }
}
