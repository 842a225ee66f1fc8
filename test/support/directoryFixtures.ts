// Scratch objects in the running Samba AD (test/support/samba.ts) for tests that change
// permissions: a fresh OU under OU=Fabrikam with a remote-mailbox user and a group in it, a user
// outside it, and a service account with no rights at all. Created as Administrator with plain
// ldapts: making users and OUs is test set-up, not something the product's client does.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { Attribute, Change, Client, NoSuchObjectError } from "ldapts";
import type { DirectoryConfig } from "../../lib/directory/client";

export interface ScratchServiceAccount {
  /** userPrincipalName: what a DirectoryConfig binds with. */
  bindDn: string;
  password: string;
  dn: string;
  samAccountName: string;
}

export interface ScratchOu {
  ouDn: string;
  /** A remote mailbox in the OU, with the Exchange attributes of a migrated user. */
  userDn: string;
  /** A remote mailbox in OU=Users,OU=Fabrikam: outside the OU, to show where a grant stops. */
  outsideUserDn: string;
  /** A security group in the OU, no members. */
  groupDn: string;
  /** Enabled, with a password, in OU=Service Accounts,OU=Fabrikam, and with no delegated rights. */
  serviceAccount: ScratchServiceAccount;
  /** Deletes everything made here, including what tests added inside the OU. */
  cleanup(): Promise<void>;
}

const USER_PASSWORD = "Fabrikam-User-2024!";

/** unicodePwd: the password in double quotes, UTF-16LE (AD takes it only over an encrypted connection). */
function unicodePwd(password: string): Buffer {
  return Buffer.from(`"${password}"`, "utf16le");
}

async function connect(admin: DirectoryConfig): Promise<Client> {
  if (!admin.url.startsWith("ldaps://")) {
    throw new Error(`createScratchOu needs an ldaps:// URL (passwords are set over TLS), not ${admin.url}`);
  }
  const client = new Client({
    url: admin.url,
    tlsOptions: admin.caCertPath ? { ca: [readFileSync(admin.caCertPath)] } : {},
    timeout: admin.timeoutMs ?? 30_000,
  });
  await client.bind(admin.bindDn, admin.password);
  return client;
}

export function remoteMailbox(cn: string, alias: string, label: string) {
  return {
    objectClass: ["top", "person", "organizationalPerson", "user"],
    cn,
    sAMAccountName: alias,
    givenName: "Scratch",
    sn: alias,
    userPrincipalName: `${alias}@fabrikam.example`,
    displayName: cn,
    mail: `${alias}@fabrikam.example`,
    proxyAddresses: [
      `SMTP:${alias}@fabrikam.example`,
      `smtp:${alias}@fabrikam.mail.onmicrosoft.com`,
      `X500:/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=${alias}`,
    ],
    targetAddress: `SMTP:${alias}@fabrikam.mail.onmicrosoft.com`,
    msExchRecipientDisplayType: "-2147483642",
    msExchRecipientTypeDetails: "2147483648",
    msExchRemoteRecipientType: "4",
    description: `scratch user of the ${label} tests`,
  };
}

/**
 * Creates, as `admin` (Administrator over LDAPS), OU=<label>-<random> under OU=Fabrikam with a
 * user and a group in it, a user outside it and a service account without rights. `label` goes
 * into every name, so leftovers of a failed run say which test made them.
 */
export async function createScratchOu(admin: DirectoryConfig, label: string): Promise<ScratchOu> {
  if (!/^[a-z][a-z0-9-]{0,15}$/i.test(label)) {
    throw new Error(`createScratchOu: label "${label}" must be 1-16 letters, digits or dashes`);
  }
  const id = randomBytes(3).toString("hex");
  const client = await connect(admin);
  const created: string[] = [];
  try {
    const { searchEntries } = await client.search("", {
      scope: "base",
      attributes: ["defaultNamingContext"],
    });
    const domainDn = String(searchEntries[0]?.defaultNamingContext ?? "");
    if (!domainDn) throw new Error(`createScratchOu: ${admin.url} has no defaultNamingContext`);
    const dnsDomain = domainDn
      .split(",")
      .map((rdn) => rdn.replace(/^dc=/i, ""))
      .join(".")
      .toLowerCase();
    const fabrikam = `OU=Fabrikam,${domainDn}`;
    const add = async (dn: string, attributes: Record<string, string | string[]>) => {
      await client.add(dn, attributes);
      created.push(dn);
    };

    const ouDn = `OU=${label}-${id},${fabrikam}`;
    await add(ouDn, { objectClass: "organizationalUnit", ou: `${label}-${id}` });
    // sAMAccountName has at most 20 characters: the random part first, so it is never cut.
    const alias = `u-${id}-${label}`.slice(0, 20);
    const userDn = `CN=${label} ${id} user,${ouDn}`;
    await add(userDn, remoteMailbox(`${label} ${id} user`, alias, label));
    const outsideAlias = `o-${id}-${label}`.slice(0, 20);
    const outsideUserDn = `CN=${label} ${id} outside,OU=Users,${fabrikam}`;
    await add(outsideUserDn, remoteMailbox(`${label} ${id} outside`, outsideAlias, label));
    const groupDn = `CN=${label}-${id}-group,${ouDn}`;
    await add(groupDn, {
      objectClass: ["top", "group"],
      cn: `${label}-${id}-group`,
      sAMAccountName: `g-${id}-${label}`.slice(0, 20),
      // Global security group, like the on-premises license groups.
      groupType: "-2147483646",
    });

    const samAccountName = `svc-${id}-${label}`.slice(0, 20);
    const password = `Scratch-${randomBytes(6).toString("hex")}-2024!`;
    const serviceDn = `CN=${samAccountName},OU=Service Accounts,${fabrikam}`;
    const bindDn = `${samAccountName}@${dnsDomain}`;
    // Created disabled (no password yet), then given one and enabled (512: a normal account).
    await add(serviceDn, {
      objectClass: ["top", "person", "organizationalPerson", "user"],
      cn: samAccountName,
      sAMAccountName: samAccountName,
      userPrincipalName: bindDn,
      description: `scratch service account for ${label}: no rights unless a test grants them`,
    });
    // Users too sign in, as in seed.ldif (Fabrikam-User-2024!).
    for (const [dn, pwd] of [
      [serviceDn, password],
      [userDn, USER_PASSWORD],
      [outsideUserDn, USER_PASSWORD],
    ]) {
      await client.modify(dn, [
        new Change({
          operation: "replace",
          modification: new Attribute({ type: "unicodePwd", values: [unicodePwd(pwd)] }),
        }),
        new Change({
          operation: "replace",
          modification: new Attribute({ type: "userAccountControl", values: ["512"] }),
        }),
      ]);
    }

    return {
      ouDn,
      userDn,
      outsideUserDn,
      groupDn,
      serviceAccount: { bindDn, password, dn: serviceDn, samAccountName },
      cleanup: () => removeAll(admin, [...created].reverse(), ouDn),
    };
  } catch (err) {
    await removeAll(admin, [...created].reverse(), undefined).catch(() => undefined);
    throw err;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** Deletes `dns` (children before parents) and whatever else is below `ouDn`; absent ones are fine. */
async function removeAll(admin: DirectoryConfig, dns: string[], ouDn: string | undefined): Promise<void> {
  const client = await connect(admin);
  try {
    const inside: string[] = [];
    if (ouDn) {
      try {
        const { searchEntries } = await client.search(ouDn, { scope: "sub", attributes: ["1.1"] });
        inside.push(...searchEntries.map((e) => e.dn));
      } catch (err) {
        if (!(err instanceof NoSuchObjectError)) throw err;
      }
    }
    // Deepest first: a DN with more RDNs is below one with fewer.
    const depth = (dn: string) => dn.split(/(?<!\\),/).length;
    const all = [...new Set([...inside, ...dns])].sort((a, b) => depth(b) - depth(a));
    for (const dn of all) {
      try {
        await client.del(dn);
      } catch (err) {
        if (!(err instanceof NoSuchObjectError)) throw err;
      }
    }
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

export interface BulkUser {
  dn: string;
  upn: string;
  alias: string;
}

/**
 * `count` remote-mailbox users in a fresh OU=<label>-<random> under OU=Fabrikam, added over a few
 * LDAPS connections at once (a wave's worth of users in seconds); answers the OU, the users and
 * Samba's write rate measured on these adds (two writes per user: the add, then password and
 * enabling). Delete the OU's subtree to clean up.
 */
export async function createRemoteMailboxUsers(
  admin: DirectoryConfig,
  count: number,
  label: string,
  connections = 4,
): Promise<{ ouDn: string; users: BulkUser[]; writesPerSecond: number; cleanup(): Promise<void> }> {
  const id = randomBytes(3).toString("hex");
  const clients = await Promise.all(Array.from({ length: connections }, () => connect(admin)));
  try {
    const { searchEntries } = await clients[0].search("", {
      scope: "base",
      attributes: ["defaultNamingContext"],
    });
    const domainDn = String(searchEntries[0]?.defaultNamingContext ?? "");
    const ouDn = `OU=${label}-${id},OU=Fabrikam,${domainDn}`;
    await clients[0].add(ouDn, { objectClass: "organizationalUnit", ou: `${label}-${id}` });
    const users = Array.from({ length: count }, (_, i) => {
      // sAMAccountName has at most 20 characters.
      const alias = `${label.slice(0, 6)}${id}-${String(i).padStart(5, "0")}`.slice(0, 20);
      return { dn: `CN=${alias},${ouDn}`, upn: `${alias}@fabrikam.example`, alias };
    });
    const start = process.hrtime.bigint();
    let next = 0;
    await Promise.all(
      clients.map(async (client) => {
        for (let i = next++; i < users.length; i = next++) {
          const u = users[i];
          await client.add(u.dn, remoteMailbox(u.alias, u.alias, label));
          await client.modify(u.dn, [
            new Change({
              operation: "replace",
              modification: new Attribute({ type: "unicodePwd", values: [unicodePwd(USER_PASSWORD)] }),
            }),
            new Change({
              operation: "replace",
              modification: new Attribute({ type: "userAccountControl", values: ["512"] }),
            }),
          ]);
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return {
      ouDn,
      users,
      writesPerSecond: (2 * count) / seconds,
      cleanup: () => removeAll(admin, [], ouDn),
    };
  } finally {
    await Promise.all(clients.map((c) => c.unbind().catch(() => undefined)));
  }
}
