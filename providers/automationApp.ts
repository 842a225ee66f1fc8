// AutomationApp: the app registration the B2B reach-back automation signs in as (seed 000,
// "Provision Access for B2B Reach-Back Automation"): certificate key credentials (public keys
// only), its service principal, Microsoft Graph application permissions with admin consent (app
// role assignments, resolved by value from the tenant's Graph service principal), and ownership
// of the cloud license groups, old and reach-back, whose membership the automation changes.
//
// Rotation is an update that adds the new certificate before it removes the old one. Read reports
// drift: a certificate, grant or ownership missing, or a permission granted beyond the declared.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  type Application,
  AUTOMATION_APP_TAG,
  addOwner,
  appRoleIds,
  createApplication,
  createServicePrincipal,
  deleteApplication,
  findApplicationsByName,
  findServicePrincipal,
  grantAppRole,
  graphServicePrincipal,
  listAppRoleAssignments,
  listOwnerIds,
  type ResourceServicePrincipal,
  readApplication,
  removeOwner,
  renameApplication,
  revokeAppRole,
  setKeyCredentials,
  thumbprintOfDer,
} from "../lib/automation/automationAppApi";
import { TENANT_ROLES, type TenantRole } from "../lib/config/stackConfig";
import { tenantIdSchema } from "../lib/crossTenantAccess/settings";
import type { GraphClient } from "../lib/graph/client";
import { checkFailures, userInputs } from "./checkFailures";
import { configure, graphFor } from "./connections";
import { runtimeProvider } from "./runtimeProvider";

/** What Pulumi passes for a value not known until apply (a group created in the same update). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const certificateSchema = z.strictObject({
  thumbprint: z.string().regex(/^[0-9A-F]{40}$/, { error: "must be a SHA-1 thumbprint in upper-case hex" }),
  der: z.base64(),
  subject: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
});

export const automationAppInputsSchema = z
  .strictObject({
    tenant: z.enum(TENANT_ROLES).default("source"),
    displayName: z.string().min(1).max(120),
    certificates: z.array(certificateSchema).min(1, { error: "give at least one certificate" }),
    /** Microsoft Graph application permissions, by value (User.Invite.All...). */
    permissions: z
      .array(
        z
          .string()
          .regex(/^[A-Za-z]+(\.[A-Za-z]+)+$/, { error: "must be a permission such as User.Invite.All" }),
      )
      .min(1),
    /** Cloud groups the service principal owns (license groups whose membership it changes). */
    ownedGroupIds: z.array(z.union([tenantIdSchema, z.literal(UNKNOWN)])).default([]),
  })
  .superRefine((i, ctx) => {
    if (i.certificates.some((c) => thumbprintOfDer(c.der) !== c.thumbprint)) {
      ctx.addIssue({
        code: "custom",
        path: ["certificates"],
        message: "a thumbprint does not match its certificate",
      });
    }
    if (new Set(i.permissions).size !== i.permissions.length) {
      ctx.addIssue({ code: "custom", path: ["permissions"], message: "lists a permission twice" });
    }
  });
export type AutomationAppInputs = z.input<typeof automationAppInputsSchema>;
type Inputs = z.output<typeof automationAppInputsSchema>;

export interface AutomationAppOutputs extends Inputs {
  /** The application (client) id the automation signs in with. */
  clientId: string;
  servicePrincipalId: string;
  /** Thumbprints of the certificates on the app registration, as of the last read. */
  keyThumbprints: string[];
  /** Application permissions granted to the service principal, as of the last read. */
  grantedPermissions: string[];
  /** Declared groups the service principal owns, as of the last read. */
  groupsOwned: string[];
  /** How the tenant differs from the declaration, in words; empty when it matches. */
  drift: string[];
}

const OUTPUT_ONLY = [
  "clientId",
  "servicePrincipalId",
  "keyThumbprints",
  "grantedPermissions",
  "groupsOwned",
  "drift",
];

const sorted = (xs: readonly string[]) => [...xs].sort();
const sameSet = (a: readonly string[], b: readonly string[]) =>
  JSON.stringify(sorted(a.map((x) => x.toLowerCase()))) ===
  JSON.stringify(sorted(b.map((x) => x.toLowerCase())));

export const provider: pulumi.dynamic.ResourceProvider<AutomationAppInputs, AutomationAppOutputs> = {
  configure,

  async check(_olds, news) {
    const parsed = automationAppInputsSchema.safeParse(userInputs(news, OUTPUT_ONLY));
    if (!parsed.success) return { failures: checkFailures(parsed.error) };
    return { inputs: parsed.data };
  },

  async diff(_id, olds, news) {
    const n = automationAppInputsSchema.parse(userInputs(news as Record<string, unknown>, OUTPUT_ONLY));
    const replaces = olds.tenant === n.tenant ? [] : ["tenant"];
    // No network here: the tenant's side comes from the last read (refresh).
    const changes =
      replaces.length > 0 ||
      olds.displayName !== n.displayName ||
      !sameSet(
        olds.certificates.map((c) => c.thumbprint),
        n.certificates.map((c) => c.thumbprint),
      ) ||
      !sameSet(olds.permissions, n.permissions) ||
      !sameSet(olds.ownedGroupIds, n.ownedGroupIds) ||
      olds.drift.length > 0;
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async create(news) {
    const inputs = automationAppInputsSchema.parse(userInputs(news as Record<string, unknown>, OUTPUT_ONLY));
    const graph = graphFor(inputs.tenant);
    // Everything that can be refused is checked before the first write.
    const graphSp = await graphServicePrincipal(graph);
    const roleIds = appRoleIds(graphSp, inputs.permissions);
    const named = await findApplicationsByName(graph, inputs.displayName);
    const ours = named.filter((a) => a.tags.includes(AUTOMATION_APP_TAG));
    const foreign = named.filter((a) => !a.tags.includes(AUTOMATION_APP_TAG));
    if (foreign.length > 0) {
      throw new Error(
        `an app registration named "${inputs.displayName}" already exists in the ${inputs.tenant} tenant (appId ${foreign.map((a) => a.appId).join(", ")}) ` +
          "and was not made by this stack; choose another automation.displayName or remove that registration; nothing was written",
      );
    }
    if (ours.length > 1) {
      throw new Error(
        `${ours.length} app registrations named "${inputs.displayName}" carry this product's tag (appId ${ours.map((a) => a.appId).join(", ")}); delete all but one`,
      );
    }
    let app: Application;
    let created = false;
    if (ours[0]) {
      // Made by an earlier run that did not finish (or whose state was lost): carry on with it.
      app = ours[0];
      pulumi.log.info(`adopting app registration ${app.displayName} (${app.appId}) made by an earlier run`);
    } else {
      app = await createApplication(
        graph,
        inputs.displayName,
        inputs.certificates.map((c) => ({ der: c.der, thumbprint: c.thumbprint })),
      );
      created = true;
    }
    try {
      await reconcile(graph, app.id, inputs, [], graphSp, roleIds);
    } catch (e) {
      // Leave no half-made identity behind: an app without its grants is a trap for the next run.
      if (created) await deleteApplication(graph, app.id).catch(() => undefined);
      throw e;
    }
    return { id: app.id, outs: await outputs(graph, app.id, inputs, graphSp) };
  },

  async read(id, props) {
    const p = props as AutomationAppOutputs;
    const graph = graphFor(p.tenant);
    if (!(await readApplication(graph, id))) return {};
    return { id, props: await outputs(graph, id, p) };
  },

  async update(id, olds, news) {
    const inputs = automationAppInputsSchema.parse(userInputs(news as Record<string, unknown>, OUTPUT_ONLY));
    const graph = graphFor(inputs.tenant);
    const graphSp = await graphServicePrincipal(graph);
    const roleIds = appRoleIds(graphSp, inputs.permissions);
    if (olds.displayName !== inputs.displayName) await renameApplication(graph, id, inputs.displayName);
    const dropped = olds.ownedGroupIds.filter((g) => !inputs.ownedGroupIds.includes(g));
    await reconcile(graph, id, inputs, dropped, graphSp, roleIds);
    return { outs: await outputs(graph, id, inputs, graphSp) };
  },

  async delete(id, props) {
    // Its service principal, grants and group ownerships go with it.
    await deleteApplication(graphFor(props.tenant), id);
  },
};

/** Brings the app registration to the declaration: certificates (new ones added before old ones
 * are removed), service principal, exactly the declared grants, and the declared ownerships. */
async function reconcile(
  graph: GraphClient,
  applicationId: string,
  inputs: Inputs,
  droppedGroups: readonly string[],
  graphSp: ResourceServicePrincipal,
  roleIds: Map<string, string>,
): Promise<void> {
  const app = await mustRead(graph, applicationId);
  const declared = inputs.certificates.map((c) => c.thumbprint);
  const toAdd = inputs.certificates.filter(
    (c) => !app.keyCredentials.some((k) => k.thumbprint === c.thumbprint),
  );
  if (toAdd.length > 0) {
    await setKeyCredentials(graph, applicationId, app.keyCredentials, toAdd);
    pulumi.log.info(`${app.displayName}: added certificate(s) ${toAdd.map((c) => c.thumbprint).join(", ")}`);
  }
  const withNew = toAdd.length > 0 ? await mustRead(graph, applicationId) : app;
  const stale = withNew.keyCredentials.filter((k) => !declared.includes(k.thumbprint));
  if (stale.length > 0) {
    await setKeyCredentials(
      graph,
      applicationId,
      withNew.keyCredentials.filter((k) => declared.includes(k.thumbprint)),
      [],
    );
    pulumi.log.info(
      `${app.displayName}: removed certificate(s) ${stale.map((k) => k.thumbprint).join(", ")}`,
    );
  }

  const sp =
    (await findServicePrincipal(graph, app.appId)) ?? (await createServicePrincipal(graph, app.appId));
  const assignments = await listAppRoleAssignments(graph, sp.id);
  const wanted = new Set(roleIds.values());
  for (const [value, roleId] of roleIds) {
    if (!assignments.some((a) => a.resourceId === graphSp.id.toLowerCase() && a.appRoleId === roleId)) {
      await grantAppRole(graph, sp.id, graphSp.id, roleId);
      pulumi.log.info(`${app.displayName}: granted ${value} with admin consent`);
    }
  }
  for (const a of assignments) {
    if (a.resourceId !== graphSp.id.toLowerCase() || !wanted.has(a.appRoleId)) {
      await revokeAppRole(graph, sp.id, a.id);
      pulumi.log.info(`${app.displayName}: revoked ${describeAssignment(graphSp, a)} (not declared)`);
    }
  }

  for (const groupId of inputs.ownedGroupIds) {
    const owners = await listOwnerIds(graph, groupId);
    if (!owners) {
      throw new Error(
        `group ${groupId} does not exist in the ${inputs.tenant} tenant; review the license-group mapping`,
      );
    }
    if (!owners.includes(sp.id.toLowerCase())) await addOwner(graph, groupId, sp.id);
  }
  for (const groupId of droppedGroups) {
    const owners = await listOwnerIds(graph, groupId);
    if (!owners?.includes(sp.id.toLowerCase())) continue;
    if (owners.length === 1) {
      throw new Error(
        `the automation is the only owner of group ${groupId}; add another owner before it stops owning the group (Graph refuses to remove the last owner)`,
      );
    }
    await removeOwner(graph, groupId, sp.id);
  }
}

async function mustRead(graph: GraphClient, applicationId: string): Promise<Application> {
  const app = await readApplication(graph, applicationId);
  if (!app) throw new Error(`app registration ${applicationId} was deleted while it was being changed`);
  return app;
}

function describeAssignment(
  graphSp: { id: string; appRoles: Array<{ id: string; value: string }> },
  a: { appRoleId: string; resourceId: string },
): string {
  if (a.resourceId === graphSp.id.toLowerCase()) {
    const role = graphSp.appRoles.find((r) => r.id.toLowerCase() === a.appRoleId);
    return role ? role.value : `Microsoft Graph app role ${a.appRoleId}`;
  }
  return `app role ${a.appRoleId} of resource ${a.resourceId}`;
}

async function outputs(
  graph: GraphClient,
  applicationId: string,
  inputs: Inputs,
  knownGraphSp?: ResourceServicePrincipal,
): Promise<AutomationAppOutputs> {
  const app = await mustRead(graph, applicationId);
  const sp = await findServicePrincipal(graph, app.appId);
  const graphSp = knownGraphSp ?? (await graphServicePrincipal(graph));
  const assignments = sp ? await listAppRoleAssignments(graph, sp.id) : [];
  const granted = sorted(assignments.map((a) => describeAssignment(graphSp, a)));
  const groupsOwned: string[] = [];
  const drift: string[] = [];
  for (const groupId of inputs.ownedGroupIds) {
    if (groupId === UNKNOWN) continue;
    const owners = sp ? await listOwnerIds(graph, groupId) : [];
    if (owners?.includes(sp?.id.toLowerCase() ?? "")) groupsOwned.push(groupId);
    else drift.push(owners ? `does not own group ${groupId}` : `group ${groupId} no longer exists`);
  }
  const thumbprints = app.keyCredentials.map((k) => k.thumbprint);
  for (const c of inputs.certificates) {
    if (!thumbprints.includes(c.thumbprint))
      drift.push(`certificate ${c.thumbprint} is not on the app registration`);
  }
  for (const t of thumbprints) {
    if (!inputs.certificates.some((c) => c.thumbprint === t))
      drift.push(`certificate ${t} is on the app registration but not declared`);
  }
  if (!sp) drift.push("the service principal is missing");
  for (const p of inputs.permissions) if (!granted.includes(p)) drift.push(`${p} is not granted`);
  for (const g of granted)
    if (!inputs.permissions.includes(g)) drift.push(`${g} is granted but not declared`);
  if (app.displayName !== inputs.displayName) drift.push(`is named "${app.displayName}"`);
  return {
    ...inputs,
    clientId: app.appId,
    servicePrincipalId: sp?.id ?? "",
    keyThumbprints: sorted(thumbprints),
    grantedPermissions: granted,
    groupsOwned: sorted(groupsOwned),
    drift,
  };
}

export interface AutomationAppArgs {
  tenant?: pulumi.Input<TenantRole>;
  displayName: pulumi.Input<string>;
  certificates: pulumi.Input<pulumi.Input<z.input<typeof certificateSchema>>[]>;
  permissions: pulumi.Input<pulumi.Input<string>[]>;
  ownedGroupIds?: pulumi.Input<pulumi.Input<string>[]>;
}

/** The reach-back automation's app registration, service principal, grants and group ownerships. */
export class AutomationApp extends pulumi.dynamic.Resource {
  declare readonly clientId: pulumi.Output<string>;
  declare readonly servicePrincipalId: pulumi.Output<string>;
  declare readonly keyThumbprints: pulumi.Output<string[]>;
  declare readonly grantedPermissions: pulumi.Output<string[]>;
  declare readonly groupsOwned: pulumi.Output<string[]>;
  declare readonly drift: pulumi.Output<string[]>;

  constructor(name: string, args: AutomationAppArgs, opts?: pulumi.CustomResourceOptions) {
    const outputsOnly = Object.fromEntries(OUTPUT_ONLY.map((k) => [k, undefined]));
    super(
      runtimeProvider("dist/providers/automationApp"),
      name,
      { ...outputsOnly, ...args },
      opts,
      "entra-coexistence",
      "AutomationApp",
    );
  }
}
