// `coex verify-access`: seed 000's test "Verify Automation Access". Signs in to Graph as the
// automation's app with its certificate; checks its token carries exactly the declared
// permissions; for each cloud license group checks it owns the group and can add and remove the
// canary; calls the invitation API for a canary address (and deletes the guest that made);
// binds to AD as the service account, changes membership of each on-premises license group and
// writes then restores each of the six attributes on the canary. Undoes everything it did,
// prints a table, and exits non-zero when any check fails, naming the missing right.
import type { AccessToken } from "@azure/identity";
import { AUTOMATION_GRAPH_PERMISSIONS, DELEGATED_USER_ATTRIBUTES } from "../lib/config/automation";
import type { StackConfig, TenantConnection } from "../lib/config/stackConfig";
import {
  DirectoryClient,
  DirectoryError,
  type DirectoryUser,
  type ExchangeAttributeChanges,
} from "../lib/directory/client";
import {
  credentialFor,
  type GraphClient,
  GraphRequestError,
  graphClientFor,
  odataString,
} from "../lib/graph/client";
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

  // 2. Cloud license groups: owned, and membership changes by the app itself.
  let canaryId: string | undefined;
  try {
    canaryId = (await graph.get<{ id: string }>(`/users/${encodeURIComponent(canaryUpn)}?$select=id`)).id;
  } catch (e) {
    row("read user", canaryUpn, false, missingRight(e, "User.ReadWrite.All"));
  }
  for (const [groupId, name] of inputs.cloudGroups) {
    try {
      await graph.get(`/groups/${groupId}?$select=id,displayName`);
    } catch (e) {
      row("owner", name, false, missingRight(e, "ownership of the group (the automation must be an owner)"));
      continue;
    }
    row("owner", name, true, "the app reads the group it owns");
    if (!canaryId) continue;
    rows.push(await membershipCheck(graph, groupId, name, canaryId));
  }

  // 3. The invitation API, on a canary address; the guest it creates is removed again.
  rows.push(await invitationCheck(graph, verify.inviteEmailAddress as string));

  // 4. On-premises: the service account's own bind and writes.
  if (automation.serviceAccount && config.activeDirectory) {
    const bindDn = bindNameOf(automation.serviceAccount.name, config.activeDirectory.baseDn);
    const ad = new DirectoryClient({
      ...config.activeDirectory,
      bindDn,
      password: automation.serviceAccount.password as string,
    });
    try {
      let canary: DirectoryUser | undefined;
      try {
        canary = await ad.findUserByUpn(canaryUpn);
        row("AD bind", bindDn, true, `bound and read under ${config.activeDirectory.baseDn}`);
      } catch (e) {
        row("AD bind", bindDn, false, why(e));
      }
      if (canary) {
        for (const attribute of DELEGATED_USER_ATTRIBUTES)
          rows.push(await attributeCheck(ad, canary, attribute, bindDn));
        for (const name of onPremisesGroupNames(config))
          rows.push(await onPremisesGroupCheck(ad, name, canary, bindDn));
      } else if (rows[rows.length - 1]?.result === "pass") {
        row("AD canary", canaryUpn, false, `not found under ${config.activeDirectory.baseDn}`);
      }
    } finally {
      await ad.close();
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
  groupId: string,
  name: string,
  userId: string,
): Promise<AccessCheck> {
  const memberOf = async () =>
    (await graph.list<{ id: string }>(`/users/${userId}/memberOf?$select=id`)).some(
      (g) => g.id.toLowerCase() === groupId.toLowerCase(),
    );
  let added = false;
  try {
    if (await memberOf()) {
      return report("membership", name, "fail", "the canary is already a member; remove it and run again");
    }
    await graph.post(`/groups/${groupId}/members/$ref`, {
      "@odata.id": `${graph.baseUrl}v1.0/directoryObjects/${userId}`,
    });
    added = true;
    if (!(await memberOf()))
      return report("membership", name, "fail", "added, but the membership does not read back");
    await graph.delete(`/groups/${groupId}/members/${userId}/$ref`);
    added = false;
    if (await memberOf())
      return report("membership", name, "fail", "removed, but the membership still reads back");
    return report("membership", name, "pass", "added and removed the canary");
  } catch (e) {
    return report("membership", name, "fail", missingRight(e, "membership change (ownership of the group)"));
  } finally {
    if (added) await graph.delete(`/groups/${groupId}/members/${userId}/$ref`).catch(() => undefined);
  }
}

async function invitationCheck(graph: GraphClient, address: string): Promise<AccessCheck> {
  try {
    const before = await graph.list<{ id: string }>(
      `/users?$filter=mail eq ${odataString(address)}&$select=id`,
    );
    const invitation = await graph.post<{ invitedUser?: { id: string }; status?: string }>("/invitations", {
      invitedUserEmailAddress: address,
      inviteRedirectUrl: "https://myapps.microsoft.com",
      sendInvitationMessage: false,
    });
    const guestId = invitation.invitedUser?.id;
    if (guestId && !before.some((u) => u.id === guestId)) {
      await graph.delete(`/users/${guestId}`);
      return report(
        "invite",
        address,
        "pass",
        `invitation ${invitation.status ?? "created"}; the guest it made was deleted`,
      );
    }
    return report(
      "invite",
      address,
      "pass",
      `invitation ${invitation.status ?? "created"} for the existing guest`,
    );
  } catch (e) {
    return report("invite", address, "fail", missingRight(e, "User.Invite.All"));
  }
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
  user: DirectoryUser,
  attribute: (typeof DELEGATED_USER_ATTRIBUTES)[number],
  account: string,
): Promise<AccessCheck> {
  let written = false;
  try {
    await ad.writeExchangeAttributes(user.dn, probeValue(attribute, user));
    written = true;
    await ad.writeExchangeAttributes(user.dn, originalValue(attribute, user));
    written = false;
    return report("AD write", attribute, "pass", `written and restored on ${user.dn}`);
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
  } finally {
    if (written)
      await ad.writeExchangeAttributes(user.dn, originalValue(attribute, user)).catch(() => undefined);
  }
}

async function onPremisesGroupCheck(
  ad: DirectoryClient,
  name: string,
  user: DirectoryUser,
  account: string,
): Promise<AccessCheck> {
  let added = false;
  try {
    const group = await ad.findGroupByName(name);
    if (!group)
      return report("AD membership", name, "fail", "the group is not in AD under the configured baseDn");
    if (group.memberDns.some((m) => m.toLowerCase() === user.dn.toLowerCase())) {
      return report("AD membership", name, "fail", "the canary is already a member; remove it and run again");
    }
    await ad.addGroupMember(group.dn, user.dn);
    added = true;
    await ad.removeGroupMember(group.dn, user.dn);
    added = false;
    return report("AD membership", name, "pass", "added and removed the canary");
  } catch (e) {
    const denied = e instanceof DirectoryError && e.resultCode === 50;
    return report(
      "AD membership",
      name,
      "fail",
      denied
        ? `${account} may not change members of ${name}: Write Property on member is missing (DirectoryDelegation)`
        : why(e),
    );
  } finally {
    if (added) {
      const group = await ad.findGroupByName(name).catch(() => undefined);
      if (group) await ad.removeGroupMember(group.dn, user.dn).catch(() => undefined);
    }
  }
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
