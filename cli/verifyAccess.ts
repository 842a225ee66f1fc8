// `coex verify-access`: seed 000's test "Verify Automation Access". Signs in to Graph as the
// automation's app with its certificate; checks its token carries exactly the declared
// permissions; for each cloud license group checks it owns the group and can add and remove the
// canary; calls the invitation API for a canary address (and deletes the guest only when it is
// this run's: the invitation's invitedUser.id, created after the run started); binds to AD as the
// service account, changes membership of each on-premises license group and writes then restores
// each of the six attributes on the canary. Every change is recorded before it is made and undone
// whatever fails (each undo is a row), the canary is then compared with how it was found, and the
// table names the missing right; the exit code is non-zero when any row fails.
import type { AccessToken } from "@azure/identity";
import { AUTOMATION_GRAPH_PERMISSIONS, DELEGATED_USER_ATTRIBUTES } from "../lib/config/automation";
import type { StackConfig, TenantConnection } from "../lib/config/stackConfig";
import {
  DirectoryClient,
  DirectoryError,
  type DirectoryUser,
  type ExchangeAttributeChanges,
} from "../lib/directory/client";
import { credentialFor, type GraphClient, GraphRequestError, graphClientFor } from "../lib/graph/client";
import { eventually } from "../lib/graph/consistency";
import { ChangeLog } from "./changeLog";
import { type StackRef, stackConfigOf, stackOutputsOf } from "./stack";

export interface AccessCheck {
  check: string;
  target: string;
  result: "pass" | "fail";
  detail: string;
}

export interface VerifyAccessInputs {
  config: StackConfig;
  /** The automation's application (client) id (the stack output automationClientId). */
  clientId: string;
  /** Cloud license groups, old and reach-back, by id → name for the table. */
  cloudGroups: Map<string, string>;
}

const why = (e: unknown): string => {
  if (e instanceof GraphRequestError) return `${e.code}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
};

/** The right a Graph failure points at, for the table. */
function missingRight(e: unknown, right: string): string {
  if (e instanceof GraphRequestError && e.status === 403) return `${right} is missing (${why(e)})`;
  return why(e);
}

function decodeRoles(token: AccessToken | null): string[] {
  if (!token) throw new Error("the identity platform returned no token");
  const payload = JSON.parse(Buffer.from(token.token.split(".")[1], "base64url").toString("utf8")) as {
    roles?: string[];
  };
  return payload.roles ?? [];
}

/** svc-reachback → svc-reachback@corp.contoso.com (from the DC= parts of the configured base DN). */
export function bindNameOf(account: string, baseDn: string): string {
  if (account.includes("@") || account.includes("\\")) return account;
  const domain = baseDn
    .split(",")
    .map((p) => p.trim())
    .filter((p) => /^dc=/i.test(p))
    .map((p) => p.slice(3))
    .join(".");
  return `${account}@${domain}`;
}

export async function verifyAccess(inputs: VerifyAccessInputs): Promise<AccessCheck[]> {
  // Whole seconds, as Graph's createdDateTime: an object created from this second on is this run's.
  const runStart = new Date(Math.floor(Date.now() / 1000) * 1000);
  const { config, clientId } = inputs;
  const automation = config.automation;
  if (!automation)
    throw new Error("entra-coexistence:automation is not set: there is no automation to verify");
  const { verify } = automation;
  const unset = [
    ...(verify.credentialPath
      ? []
      : ["automation.verify.credentialPath (the automation's key and certificate, PEM)"]),
    ...(verify.canaryUserPrincipalName
      ? []
      : ["automation.verify.canaryUserPrincipalName (a test user synced from AD)"]),
    ...(verify.inviteEmailAddress
      ? []
      : ["automation.verify.inviteEmailAddress (an external address to invite)"]),
    ...(automation.serviceAccount && !automation.serviceAccount.password
      ? ["automation.serviceAccount.password (secret)"]
      : []),
  ];
  if (unset.length > 0) throw new Error(`set ${unset.join(", ")} to run the access checks`);
  const canaryUpn = verify.canaryUserPrincipalName as string;
  const rows: AccessCheck[] = [];
  const row = (check: string, target: string, ok: boolean, detail: string) => {
    rows.push({ check, target, result: ok ? "pass" : "fail", detail });
  };

  // 1. Sign in as the app with its certificate; the token says what was consented.
  const conn: TenantConnection = {
    tenantId: config.source.tenantId,
    domain: config.source.domain,
    clientId,
    credential: { kind: "certificate", certificatePath: verify.credentialPath as string },
  };
  let roles: string[];
  try {
    const token = await credentialFor(conn, config.cloud).getToken(
      `${new URL(config.cloud.graphEndpoint).origin}/.default`,
    );
    roles = decodeRoles(token);
    row("sign-in", clientId, true, "token issued for the certificate");
  } catch (e) {
    row("sign-in", clientId, false, `no token: ${why(e)} (is this certificate on the app registration?)`);
    return rows;
  }
  const declared: readonly string[] = AUTOMATION_GRAPH_PERMISSIONS;
  const missing = declared.filter((p) => !roles.includes(p));
  const extra = roles.filter((r) => !declared.includes(r));
  row(
    "permissions",
    clientId,
    missing.length === 0 && extra.length === 0,
    missing.length + extra.length === 0
      ? `exactly ${declared.join(", ")}`
      : [
          missing.length ? `not granted: ${missing.join(", ")}` : "",
          extra.length ? `broader than declared: ${extra.join(", ")}` : "",
        ]
          .filter(Boolean)
          .join("; "),
  );
  const graph = graphClientFor(conn, config.cloud);
  // Every change is recorded before it is made and undone whatever fails; the canary is then
  // compared with what it was before.
  const log = new ChangeLog();
  const before: Snapshots = {};
  let ad: DirectoryClient | undefined;
  try {
    // 2. Cloud license groups: owned, and membership changes by the app itself.
    let canaryId: string | undefined;
    try {
      canaryId = (await graph.get<{ id: string }>(`/users/${encodeURIComponent(canaryUpn)}?$select=id`)).id;
      before.cloud = { userId: canaryId, groups: await memberOfIds(graph, canaryId) };
    } catch (e) {
      row("read user", canaryUpn, false, missingRight(e, "User.ReadWrite.All"));
    }
    for (const [groupId, name] of inputs.cloudGroups) {
      try {
        await graph.get(`/groups/${groupId}?$select=id,displayName`);
      } catch (e) {
        row(
          "owner",
          name,
          false,
          missingRight(e, "ownership of the group (the automation must be an owner)"),
        );
        continue;
      }
      row("owner", name, true, "the app reads the group it owns");
      if (!canaryId || !before.cloud) continue;
      rows.push(await membershipCheck(graph, log, groupId, name, canaryId));
    }

    // 3. The invitation API, on a canary address; a guest this run made is removed again.
    rows.push(await invitationCheck(graph, log, verify.inviteEmailAddress as string, runStart));

    // 4. On-premises: the service account's own bind and writes.
    if (automation.serviceAccount && config.activeDirectory) {
      const bindDn = bindNameOf(automation.serviceAccount.name, config.activeDirectory.baseDn);
      ad = new DirectoryClient({
        ...config.activeDirectory,
        bindDn,
        password: automation.serviceAccount.password as string,
      });
      let canary: DirectoryUser | undefined;
      try {
        canary = await ad.findUserByUpn(canaryUpn);
        row("AD bind", bindDn, true, `bound and read under ${config.activeDirectory.baseDn}`);
      } catch (e) {
        row("AD bind", bindDn, false, why(e));
      }
      if (canary) {
        const groupNames = onPremisesGroupNames(config);
        before.ad = { user: canary, groupNames, groups: await adMemberships(ad, groupNames, canary.dn) };
        for (const attribute of DELEGATED_USER_ATTRIBUTES)
          rows.push(await attributeCheck(ad, log, canary, attribute, bindDn));
        for (const name of groupNames) rows.push(await onPremisesGroupCheck(ad, log, name, canary, bindDn));
      } else if (rows[rows.length - 1]?.result === "pass") {
        row("AD canary", canaryUpn, false, `not found under ${config.activeDirectory.baseDn}`);
      }
    }
  } finally {
    await log.undoAll();
    for (const r of log.records)
      rows.push(report("undo", r.what, r.result === "done" ? "pass" : "fail", r.detail));
    rows.push(...(await afterwards(graph, ad, before, canaryUpn)));
    await ad?.close();
  }
  return rows;
}

interface Snapshots {
  cloud?: { userId: string; groups: Set<string> };
  ad?: { user: DirectoryUser; groupNames: string[]; groups: Set<string> };
}

async function memberOfIds(graph: GraphClient, userId: string): Promise<Set<string>> {
  const groups = await graph.list<{ id: string }>(`/users/${userId}/memberOf?$select=id&$top=999`);
  return new Set(groups.map((g) => g.id.toLowerCase()));
}

/** Which of these AD groups (by name) have the user as a member; a missing group is left out. */
async function adMemberships(ad: DirectoryClient, names: string[], dn: string): Promise<Set<string>> {
  const member = new Set<string>();
  for (const name of names) {
    const g = await ad.findGroupByName(name).catch(() => undefined);
    if (g?.memberDns.some((m) => m.toLowerCase() === dn.toLowerCase())) member.add(name.toLowerCase());
  }
  return member;
}

const shown = (v: unknown) =>
  v === undefined || v === null ? "(none)" : Array.isArray(v) ? [...v].sort().join(", ") : String(v);

/** Rows saying whether the canary is as it was before the run, in Entra ID and in AD. */
async function afterwards(
  graph: GraphClient,
  ad: DirectoryClient | undefined,
  before: Snapshots,
  canaryUpn: string,
): Promise<AccessCheck[]> {
  const rows: AccessCheck[] = [];
  const verdict = (target: string, found: string[], same: string) =>
    rows.push(
      report(
        "afterwards",
        target,
        found.length === 0 ? "pass" : "fail",
        found.length ? found.join("; ") : same,
      ),
    );
  if (before.cloud) {
    const { userId, groups } = before.cloud;
    try {
      const now = await memberOfIds(graph, userId);
      verdict(
        canaryUpn,
        [
          ...[...now]
            .filter((g) => !groups.has(g))
            .map((g) => `now a member of group ${g}: remove it by hand`),
          ...[...groups]
            .filter((g) => !now.has(g))
            .map((g) => `no longer a member of group ${g}: add it back`),
        ],
        "in Entra ID, the canary is in the same groups as before",
      );
    } catch (e) {
      verdict(canaryUpn, [`could not read its groups back: ${why(e)}`], "");
    }
  }
  if (before.ad && ad) {
    const { user, groupNames, groups } = before.ad;
    try {
      const now = await ad.getUser(user.dn);
      const found: string[] = [];
      if (!now) found.push(`${user.dn} can no longer be read`);
      else {
        for (const a of DELEGATED_USER_ATTRIBUTES) {
          if (shown(now[a]) !== shown(user[a]))
            found.push(`${a} is ${shown(now[a])}, was ${shown(user[a])}: set it back by hand`);
        }
      }
      const nowGroups = await adMemberships(ad, groupNames, user.dn);
      for (const g of nowGroups) if (!groups.has(g)) found.push(`now a member of the AD group ${g}`);
      for (const g of groups) if (!nowGroups.has(g)) found.push(`no longer a member of the AD group ${g}`);
      verdict(user.dn, found, "in AD, the canary has its six attributes and groups as before");
    } catch (e) {
      verdict(user.dn, [`could not read it back: ${why(e)}`], "");
    }
  }
  return rows;
}

function onPremisesGroupNames(config: StackConfig): string[] {
  return config.licenseGroups.mappings
    .filter((m) => m.source === "onPremises")
    .flatMap((m) => [m.originalGroupName, m.reachBackGroupName]);
}

async function membershipCheck(
  graph: GraphClient,
  log: ChangeLog,
  groupId: string,
  name: string,
  userId: string,
): Promise<AccessCheck> {
  const memberOf = async () => (await memberOfIds(graph, userId)).has(groupId.toLowerCase());
  try {
    if (await memberOf()) {
      return report(
        "membership",
        name,
        "fail",
        "the canary is already a member, and was left so: remove it and run again",
      );
    }
  } catch (e) {
    return report(
      "membership",
      name,
      "fail",
      missingRight(e, "reading the canary's groups (User.ReadWrite.All)"),
    );
  }
  const change = log.record(
    `added the canary to ${name}`,
    async () => {
      await graph.delete(`/groups/${groupId}/members/${userId}/$ref`).catch((e) => {
        if (!(e instanceof GraphRequestError && e.status === 404)) throw e;
      });
      return "removed through Graph";
    },
    `remove the canary (${userId}) from the group ${name} (${groupId}) in the Entra admin center`,
  );
  let failed: AccessCheck | undefined;
  try {
    await change.run(() =>
      graph.post(`/groups/${groupId}/members/$ref`, {
        "@odata.id": `${graph.baseUrl}v1.0/directoryObjects/${userId}`,
      }),
    );
    if (!(await memberOf()))
      failed = report("membership", name, "fail", "added, but the membership does not read back");
  } catch (e) {
    failed = report(
      "membership",
      name,
      "fail",
      missingRight(e, "membership change (ownership of the group)"),
    );
  }
  const removed = await change.undo();
  if (failed) return failed;
  if (!removed) return report("membership", name, "fail", "added, but removing it failed (see undo)");
  try {
    if (await memberOf())
      return report("membership", name, "fail", "removed, but the membership still reads back");
  } catch (e) {
    return report("membership", name, "fail", why(e));
  }
  return report("membership", name, "pass", "added and removed the canary");
}

interface InvitedUser {
  id: string;
  userPrincipalName?: string;
  userType?: string | null;
  createdDateTime?: string | null;
}

/** Invites the address without a message. The guest is deleted only when it is this run's: the
 * invitation's invitedUser.id names it and Graph says it was created after the run started. An
 * invitation answered with an object that existed before (the address already belonged to a
 * guest) leaves that object alone. Never looked up by address. */
async function invitationCheck(
  graph: GraphClient,
  log: ChangeLog,
  address: string,
  runStart: Date,
): Promise<AccessCheck> {
  let invitation: { invitedUser?: { id?: string }; status?: string };
  try {
    invitation = await graph.post("/invitations", {
      invitedUserEmailAddress: address,
      inviteRedirectUrl: "https://myapps.microsoft.com",
      sendInvitationMessage: false,
    });
  } catch (e) {
    return report("invite", address, "fail", missingRight(e, "User.Invite.All"));
  }
  const status = `invitation ${invitation.status ?? "created"}`;
  const id = invitation.invitedUser?.id;
  if (!id) {
    return report(
      "invite",
      address,
      "fail",
      `${status}, but the answer names no invitedUser.id: nothing deleted; if a guest for ${address} was made, delete it by hand`,
    );
  }
  let invited: InvitedUser;
  try {
    // A guest the invitation just made is not readable until it has replicated.
    invited = await eventually(
      `the invited user ${id}`,
      () =>
        graph.getOptional<InvitedUser>(
          `/users/${encodeURIComponent(id)}?$select=id,userPrincipalName,userType,createdDateTime`,
        ),
      { ...graph.consistency, successesInARow: 1 },
    );
  } catch (e) {
    return report(
      "invite",
      address,
      "fail",
      `${status}; the invited user ${id} cannot be read (${why(e)}): not deleted; check it by hand`,
    );
  }
  const created = invited.createdDateTime ? Date.parse(invited.createdDateTime) : Number.NaN;
  const who = `${invited.userPrincipalName ?? id} (${id}, ${invited.userType ?? "no userType"}, created ${invited.createdDateTime ?? "at an unknown time"})`;
  if (Number.isNaN(created) || created < runStart.getTime() || invited.userType !== "Guest") {
    return report(
      "invite",
      address,
      "pass",
      `${status}; it answered with ${who}, which this run did not create (the run started ${runStart.toISOString()}): left as it is`,
    );
  }
  const guest = log.record(
    `guest ${id} made by the invitation of ${address}`,
    async () => {
      await graph.delete(`/users/${encodeURIComponent(id)}`);
      return "deleted";
    },
    `delete the guest ${id} (${address}) in the Entra admin center`,
  );
  return (await guest.undo())
    ? report("invite", address, "pass", `${status}; the guest it made (${id}) was deleted`)
    : report(
        "invite",
        address,
        "fail",
        `${status}; the guest it made (${id}) could not be deleted (see undo)`,
      );
}

/** A value different from the current one, so that the write is a real change. */
function probeValue(
  attribute: (typeof DELEGATED_USER_ATTRIBUTES)[number],
  user: DirectoryUser,
): ExchangeAttributeChanges {
  const domain = (user.userPrincipalName ?? "canary@example.invalid").split("@")[1];
  switch (attribute) {
    case "msExchRecipientDisplayType":
      return { msExchRecipientDisplayType: user.msExchRecipientDisplayType === 6 ? -2147483642 : 6 };
    case "msExchRecipientTypeDetails":
      return { msExchRecipientTypeDetails: user.msExchRecipientTypeDetails === 128 ? 2147483648 : 128 };
    case "msExchRemoteRecipientType":
      return { msExchRemoteRecipientType: user.msExchRemoteRecipientType === 4 ? 1 : 4 };
    case "targetAddress":
      return { targetAddress: `SMTP:verify-access.${Date.now()}@${domain}` };
    case "mail":
      return { mail: `verify-access.${Date.now()}@${domain}` };
    case "proxyAddresses":
      return { proxyAddresses: [...user.proxyAddresses, `smtp:verify-access.${Date.now()}@${domain}`] };
  }
}

function originalValue(
  attribute: (typeof DELEGATED_USER_ATTRIBUTES)[number],
  user: DirectoryUser,
): ExchangeAttributeChanges {
  if (attribute === "proxyAddresses")
    return { proxyAddresses: user.proxyAddresses.length ? user.proxyAddresses : null };
  return { [attribute]: user[attribute] ?? null };
}

async function attributeCheck(
  ad: DirectoryClient,
  log: ChangeLog,
  user: DirectoryUser,
  attribute: (typeof DELEGATED_USER_ATTRIBUTES)[number],
  account: string,
): Promise<AccessCheck> {
  const change = log.record(
    `wrote ${attribute} on ${user.dn}`,
    async () => {
      await ad.writeExchangeAttributes(user.dn, originalValue(attribute, user));
      return `restored to ${shown(user[attribute])}`;
    },
    `set ${attribute} on ${user.dn} back to ${shown(user[attribute])} with an account that may write it`,
  );
  try {
    await change.run(() => ad.writeExchangeAttributes(user.dn, probeValue(attribute, user)));
  } catch (e) {
    const denied = e instanceof DirectoryError && e.resultCode === 50;
    return report(
      "AD write",
      attribute,
      "fail",
      denied
        ? `${account} may not write ${attribute} on ${user.dn}: Write Property on ${attribute} for user objects is missing (DirectoryDelegation)`
        : why(e),
    );
  }
  return (await change.undo())
    ? report("AD write", attribute, "pass", `written and restored on ${user.dn}`)
    : report("AD write", attribute, "fail", `written, but restoring it failed (see undo)`);
}

async function onPremisesGroupCheck(
  ad: DirectoryClient,
  log: ChangeLog,
  name: string,
  user: DirectoryUser,
  account: string,
): Promise<AccessCheck> {
  const denied = (e: unknown) =>
    e instanceof DirectoryError && e.resultCode === 50
      ? `${account} may not change members of ${name}: Write Property on member is missing (DirectoryDelegation)`
      : why(e);
  let groupDn: string;
  try {
    const group = await ad.findGroupByName(name);
    if (!group)
      return report("AD membership", name, "fail", "the group is not in AD under the configured baseDn");
    if (group.memberDns.some((m) => m.toLowerCase() === user.dn.toLowerCase())) {
      return report(
        "AD membership",
        name,
        "fail",
        "the canary is already a member, and was left so: remove it and run again",
      );
    }
    groupDn = group.dn;
  } catch (e) {
    return report("AD membership", name, "fail", why(e));
  }
  const change = log.record(
    `added the canary to the AD group ${name}`,
    async () => {
      await ad.removeGroupMember(groupDn, user.dn);
      return "removed";
    },
    `remove ${user.dn} from the member attribute of ${groupDn}`,
  );
  try {
    await change.run(() => ad.addGroupMember(groupDn, user.dn));
  } catch (e) {
    return report("AD membership", name, "fail", denied(e));
  }
  return (await change.undo())
    ? report("AD membership", name, "pass", "added and removed the canary")
    : report("AD membership", name, "fail", "added, but removing it failed (see undo)");
}

function report(check: string, target: string, result: "pass" | "fail", detail: string): AccessCheck {
  return { check, target, result, detail };
}

export function formatAccessTable(rows: AccessCheck[]): string[] {
  const c = Math.max(5, ...rows.map((r) => r.check.length));
  const t = Math.max(6, ...rows.map((r) => r.target.length));
  return [
    `${"check".padEnd(c)}  ${"target".padEnd(t)}  result  detail`,
    ...rows.map((r) => `${r.check.padEnd(c)}  ${r.target.padEnd(t)}  ${r.result.padEnd(6)}  ${r.detail}`),
  ];
}

export async function verifyAccessCommand(ref: StackRef, out: (line: string) => void): Promise<number> {
  const config = stackConfigOf(ref);
  const outputs = stackOutputsOf(ref);
  const clientId = outputs.automationClientId;
  if (typeof clientId !== "string") {
    throw new Error(
      `stack ${ref.stack} has no automationClientId output: run pulumi up with entra-coexistence:automation set first`,
    );
  }
  const mapping = (outputs.licenseGroupMapping ?? {}) as Record<string, string>;
  const cloudGroups = new Map<string, string>();
  for (const m of config.licenseGroups.mappings.filter((x) => x.source === "cloud")) {
    cloudGroups.set(m.originalGroupId, m.originalGroupName);
    const reachBack = mapping[m.originalGroupId];
    if (reachBack) cloudGroups.set(reachBack, m.reachBackGroupName);
  }
  const rows = await verifyAccess({ config, clientId, cloudGroups });
  for (const line of formatAccessTable(rows)) out(line);
  const failed = rows.filter((r) => r.result === "fail").length;
  out(
    failed === 0
      ? `all ${rows.length} access checks passed`
      : `${failed} of ${rows.length} access checks failed`,
  );
  return failed === 0 ? 0 : 1;
}
