// AutomationApp: the app registration the B2B reach-back automation signs in as (seed 000,
// "Provision Access for B2B Reach-Back Automation"): certificate key credentials (public keys
// only), its service principal, Microsoft Graph application permissions with admin consent (app
// role assignments, resolved by value from the tenant's Graph service principal), and ownership
// of the cloud license groups, old and reach-back, whose membership the automation changes.
//
// Drift (the kernel's model): `displayName`, `certificates`, `permissions` and `ownedGroupIds`
// carry what the tenant has, in the declared shape, so refresh shows e.g. a revoked grant as
// `permissions: [User.Invite.All, User.ReadWrite.All] => [User.ReadWrite.All]`. Rotation is an
// update that adds the new certificate before it removes the old one.
//
// Ownership: the app carries this product's tag and the tag of the stack that holds it. Create
// makes a new app, or adopts one tagged with this same stack (left by an earlier run that did not
// finish: its create crashed, or its state was lost); an app of that name that is not the
// product's, or that another stack holds, is refused. Both kinds are this stack's own, so destroy
// deletes them (Entra deletes the service principal, grants and ownerships with the app); an
// adopted app only while it still carries this stack's tag.
import { X509Certificate } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  type Application,
  type AppRoleAssignment,
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
  type KeyCredentialInfo,
  listAppRoleAssignments,
  listOwnerIds,
  type ResourceServicePrincipal,
  readApplication,
  removeOwner,
  renameApplication,
  revokeAppRole,
  setApplicationTags,
  setKeyCredentials,
  thumbprintOfDer,
} from "../lib/automation/automationAppApi";
import { describeCertificate, type PublicCertificate } from "../lib/automation/certificates";
import { TENANT_ROLES, type TenantRole } from "../lib/config/stackConfig";
import { tenantIdSchema } from "../lib/crossTenantAccess/settings";
import type { GraphClient } from "../lib/graph/client";
import { graphFor } from "./connections";
import { defineProvider, type Ownership, withCleanup } from "./kernel";

/** What Pulumi passes for a value not known until apply (a group created in the same update). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The tag that says which stack holds an app registration ("<project>/<stack>"). */
export const stackTag = (stack: string) => `entra-coexistence:stack:${stack}`;
const isStackTag = (tag: string) => tag.startsWith("entra-coexistence:stack:");

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
    /** The project and stack that hold the app registration, written into its tags: a re-run of
     * this stack finds its own app, and another stack's is never taken. The program's own. */
    stack: z.string().regex(/^[^/\s]+\/[^/\s]+$/, { error: "must be <project>/<stack>" }),
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
    if (new Set(i.certificates.map((c) => c.thumbprint)).size !== i.certificates.length) {
      ctx.addIssue({ code: "custom", path: ["certificates"], message: "lists a certificate twice" });
    }
    if (new Set(i.permissions).size !== i.permissions.length) {
      ctx.addIssue({ code: "custom", path: ["permissions"], message: "lists a permission twice" });
    }
  });
export type AutomationAppInputs = z.input<typeof automationAppInputsSchema>;
type Inputs = z.output<typeof automationAppInputsSchema>;

/** The app registration as it was when adopted (left by an earlier run of this stack). */
export interface FoundApp {
  appId: string;
  tags: string[];
}

interface Info extends Record<string, unknown> {
  /** The application (client) id the automation signs in with. */
  clientId: string;
  /** Empty when the service principal is missing (then no permission is granted either). */
  servicePrincipalId: string;
}

/** The canonical form: certificates by thumbprint, permissions and group ids sorted. */
export function canonicalInputs(i: Inputs): Inputs {
  return {
    ...i,
    certificates: [...i.certificates].sort((a, b) => a.thumbprint.localeCompare(b.thumbprint)),
    permissions: [...i.permissions].sort(),
    ownedGroupIds: [...new Set(i.ownedGroupIds.map((g) => g.toLowerCase()))].sort(),
  };
}

const defined = defineProvider<
  typeof automationAppInputsSchema,
  Record<never, never>,
  FoundApp,
  Info,
  AutomationAppArgs
>({
  type: "AutomationApp",
  module: "dist/providers/automationApp",
  schema: automationAppInputsSchema,
  infoKeys: ["clientId", "servicePrincipalId"],
  canonical: canonicalInputs,
  observed: ["displayName", "certificates", "permissions", "ownedGroupIds"],
  replaceOn: ["tenant"],
  describeReplace: (olds, news) =>
    `a new app registration is created in the ${news.tenant} tenant first (a new client id: move the automation to it), ` +
    `then ${olds.displayName} (${olds.clientId}) is deleted from the ${olds.tenant} tenant with its grants and group ownerships`,
  objectKey: (id, i) => `${i.tenant} tenant's app registration ${id}`,
  // The create refuses a second app of one name, so the name is the key a program can know.
  claim: (a) => pulumi.interpolate`${a.tenant ?? "source"} tenant's app registration named ${a.displayName}`,

  // Before the kernel: no record, but every such app was made by the stack that held it (create
  // refused anyone else's), as its `clientId` output shows.
  legacyOwnership: (s) => (typeof s.clientId === "string" ? { kind: "created" } : undefined),

  async create(inputs) {
    const graph = graphFor(inputs.tenant);
    // Everything that can be refused is checked before the first write.
    const graphSp = await microsoftGraphOf(inputs.tenant);
    const roleIds = appRoleIds(graphSp, inputs.permissions);
    const mine = stackTag(inputs.stack);
    const named = await findApplicationsByName(graph, inputs.displayName);
    const foreign = named.filter((a) => !a.tags.includes(AUTOMATION_APP_TAG));
    if (foreign.length > 0) {
      throw new Error(
        `an app registration named "${inputs.displayName}" already exists in the ${inputs.tenant} tenant (appId ${foreign.map((a) => a.appId).join(", ")}) ` +
          "and was not made by this stack; choose another automation.displayName or remove that registration; nothing was written",
      );
    }
    const others = named.filter((a) => !a.tags.includes(mine));
    if (others.length > 0) {
      const holders = others.map((a) => `${a.appId}: ${holderOf(a)}`).join("; ");
      throw new Error(
        `an app registration named "${inputs.displayName}" in the ${inputs.tenant} tenant is this product's but not this stack's (${holders}); ` +
          "two stacks must not hold one app: choose another automation.displayName, or, if no stack holds it any more, delete it " +
          `(or tag it ${mine} to hand it to this stack) and run pulumi up again; nothing was written`,
      );
    }
    if (named.length > 1) {
      throw new Error(
        `${named.length} app registrations named "${inputs.displayName}" carry this stack's tag (appId ${named.map((a) => a.appId).join(", ")}); delete all but one; nothing was written`,
      );
    }
    const left = named[0];
    if (left) {
      // Made by an earlier run of this stack that did not finish: carry on with it.
      pulumi.log.info(
        `adopting app registration ${left.displayName} (${left.appId}), made by an earlier run of stack ${inputs.stack}`,
      );
      await reconcile(graph, left.id, inputs, [], graphSp, roleIds);
      return { id: left.id, ownership: { kind: "adopted", found: { appId: left.appId, tags: left.tags } } };
    }
    const app = await createApplication(
      graph,
      inputs.displayName,
      inputs.certificates.map((c) => ({ der: c.der, thumbprint: c.thumbprint })),
      [mine],
    );
    // Leave no half-made identity behind: an app without its grants is a trap for the next run.
    await withCleanup(() => reconcile(graph, app.id, inputs, [], graphSp, roleIds), {
      describe: `the new app registration ${inputs.displayName} (${app.appId})`,
      run: () => deleteApplication(graph, app.id),
    });
    return { id: app.id, ownership: { kind: "created" } };
  },

  async observe(id, inputs) {
    const graph = graphFor(inputs.tenant);
    const app = await readApplication(graph, id);
    if (!app) return undefined;
    const sp = await findServicePrincipal(graph, app.appId);
    const graphSp = await microsoftGraphOf(inputs.tenant);
    const assignments = sp ? await listAppRoleAssignments(graph, sp.id) : [];
    const owned: string[] = [];
    for (const groupId of inputs.ownedGroupIds) {
      // Not known yet (preview of a group created in the same update): nothing to compare.
      if (groupId === UNKNOWN) owned.push(groupId);
      else if (sp && (await listOwnerIds(graph, groupId))?.includes(sp.id.toLowerCase())) owned.push(groupId);
    }
    return {
      live: {
        displayName: app.displayName,
        certificates: app.keyCredentials
          .map((k) => certificateOf(k, inputs.certificates))
          .sort((a, b) => a.thumbprint.localeCompare(b.thumbprint)),
        permissions: assignments.map((a) => permissionOf(graphSp, a)).sort(),
        ownedGroupIds: owned.sort(),
      },
      info: { clientId: app.appId, servicePrincipalId: sp?.id ?? "" },
    };
  },

  async update(id, olds, news) {
    const graph = graphFor(news.tenant);
    const graphSp = await microsoftGraphOf(news.tenant);
    const roleIds = appRoleIds(graphSp, news.permissions);
    // Against the tenant as it is now, not the last read: an update also repairs unseen drift.
    const app = await mustRead(graph, id);
    if (app.displayName !== news.displayName) await renameApplication(graph, id, news.displayName);
    // The stack's tag follows a renamed stack (pulumi stack rename).
    const tags = [...app.tags.filter((t) => !isStackTag(t) || t === stackTag(news.stack))];
    if (!tags.includes(stackTag(news.stack))) tags.push(stackTag(news.stack));
    if (tags.join("\n") !== app.tags.join("\n")) await setApplicationTags(graph, id, tags);
    const dropped = olds.ownedGroupIds.filter((g) => g !== UNKNOWN && !news.ownedGroupIds.includes(g));
    await reconcile(graph, id, news, dropped, graphSp, roleIds);
  },

  async remove(id, state) {
    await deleteApplication(graphFor(state.tenant), id);
  },

  async restore(id, state) {
    // An adopted app was this stack's when found (it carried the stack's tag): it is deleted like
    // a created one, unless it no longer says so.
    const graph = graphFor(state.tenant);
    const app = await readApplication(graph, id);
    if (!app) return;
    if (!app.tags.includes(stackTag(state.stack))) {
      throw new Error(
        `app registration ${app.displayName} (${app.appId}) no longer carries the tag ${stackTag(state.stack)} ` +
          `(${holderOf(app)}), so it may belong to someone else now; it is not deleted: put the tag back and destroy again, ` +
          "or keep the app (pulumi state delete, or retainOnDelete); nothing was deleted",
      );
    }
    await deleteApplication(graph, id);
  },
});

export const provider = defined.provider;

/** Who holds an app of this product, from its tags, in words. */
function holderOf(app: Application): string {
  const stacks = app.tags.filter(isStackTag).map((t) => t.slice(stackTag("").length));
  return stacks.length > 0
    ? `held by stack ${stacks.join(", ")}`
    : "no stack's tag: made by an earlier version, or tagged by hand";
}

/** Microsoft Graph's service principal per tenant, read once per provider process (its app roles
 * are Microsoft's and do not change during a deployment). */
const microsoftGraph = new Map<TenantRole, Promise<ResourceServicePrincipal>>();
function microsoftGraphOf(tenant: TenantRole): Promise<ResourceServicePrincipal> {
  let found = microsoftGraph.get(tenant);
  if (!found) {
    found = graphServicePrincipal(graphFor(tenant));
    found.catch(() => microsoftGraph.delete(tenant));
    microsoftGraph.set(tenant, found);
  }
  return found;
}

/** A granted app role in the declared form: its value for Microsoft Graph's roles, and
 * "<resource service principal id>/<app role id>" for another resource's (or a role Graph no
 * longer defines): the declaration never has those, so any of them is drift. */
export function permissionOf(graphSp: ResourceServicePrincipal, a: AppRoleAssignment): string {
  const role =
    a.resourceId === graphSp.id.toLowerCase()
      ? graphSp.appRoles.find((r) => r.id.toLowerCase() === a.appRoleId)
      : undefined;
  return role ? role.value : `${a.resourceId}/${a.appRoleId}`;
}

/** A key credential in the declared shape, from its certificate (Graph returns the DER on a read
 * of one application). Without it, the declared certificate of the same thumbprint stands in. */
function certificateOf(k: KeyCredentialInfo, declared: readonly PublicCertificate[]): PublicCertificate {
  if (k.key) {
    try {
      return describeCertificate(new X509Certificate(Buffer.from(k.key, "base64")));
    } catch {
      // Not a certificate Node can read: shown by thumbprint below.
    }
  }
  return (
    declared.find((c) => c.thumbprint === k.thumbprint) ?? {
      thumbprint: k.thumbprint,
      der: k.key ?? "",
      subject: `(key credential ${k.keyId}: Graph did not return a readable certificate)`,
      notBefore: "",
      notAfter: k.endDateTime ?? "",
    }
  );
}

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
      pulumi.log.info(`${app.displayName}: revoked ${permissionOf(graphSp, a)} (not declared)`);
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

export interface AutomationAppArgs {
  tenant?: pulumi.Input<TenantRole>;
  /** "<project>/<stack>"; the program's own when omitted. */
  stack?: pulumi.Input<string>;
  displayName: pulumi.Input<string>;
  certificates: pulumi.Input<pulumi.Input<z.input<typeof certificateSchema>>[]>;
  permissions: pulumi.Input<pulumi.Input<string>[]>;
  ownedGroupIds?: pulumi.Input<pulumi.Input<string>[]>;
}

/** The reach-back automation's app registration, service principal, grants and group ownerships. */
export class AutomationApp extends defined.Resource {
  declare readonly clientId: pulumi.Output<string>;
  declare readonly servicePrincipalId: pulumi.Output<string>;
  /** As the tenant has them, as of the last read (the kernel's drift model). */
  declare readonly displayName: pulumi.Output<string>;
  declare readonly certificates: pulumi.Output<PublicCertificate[]>;
  /** Granted application permissions: Microsoft Graph's by value, others as resource/role id. */
  declare readonly permissions: pulumi.Output<string[]>;
  /** The declared groups the service principal owns. */
  declare readonly ownedGroupIds: pulumi.Output<string[]>;
  declare readonly ownership: pulumi.Output<Ownership<FoundApp>>;

  constructor(name: string, args: AutomationAppArgs, opts?: pulumi.CustomResourceOptions) {
    super(name, { ...args, stack: args.stack ?? `${pulumi.getProject()}/${pulumi.getStack()}` }, opts);
  }
}
