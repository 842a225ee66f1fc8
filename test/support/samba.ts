// The Samba AD domain controller the integration tests run against. `scripts/samba.sh start <dir>`
// provisions and seeds it and writes <dir>/connection.json; scripts/test.sh exports
// ENTRA_COEX_TEST_SAMBA with that file's path. Without the variable the directory tests skip.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { DirectoryConfig } from "../../lib/directory/client";

/** What scripts/samba.sh writes to connection.json. */
export interface SambaConnection {
  ldapsUrl: string;
  ldapUrl: string;
  caCertPath: string;
  realm: string;
  /** The domain's root, DC=corp,DC=fabrikam,DC=example. */
  baseDn: string;
  adminBindDn: string;
  adminPassword: string;
  serviceAccount: { bindDn: string; password: string; dn: string };
  pid: number;
}

export interface SambaUnderTest {
  connection: SambaConnection;
  /** The OU the seeded estate lives in, and the service account's scope. */
  fabrikamOu: string;
  /** Domain Administrator, searching from the domain root. */
  admin(overrides?: Partial<DirectoryConfig>): DirectoryConfig;
  /** svc-reachback, which may write the six Exchange attributes under OU=Fabrikam. */
  serviceAccount(overrides?: Partial<DirectoryConfig>): DirectoryConfig;
  /** DNs of the users scripts/samba/seed.ldif creates, read from the file itself. */
  seededUserDns(): string[];
  /** Restarts the samba process on the same data (what a DC reboot looks like to a client). */
  restart(): void;
}

const repoRoot = path.resolve(__dirname, "../../..");
const sambaScript = path.join(repoRoot, "scripts", "samba.sh");
const seedFile = path.join(repoRoot, "scripts", "samba", "seed.ldif");

/** The running Samba for a suite's before hook; without one, the suite is skipped and says why. */
export function sambaOrSkip(ctx: Mocha.Context): SambaUnderTest {
  const s = sambaUnderTest();
  if (typeof s === "string") {
    console.log(`      skipped: ${s}`);
    ctx.skip();
  }
  return s as SambaUnderTest;
}

/** The running Samba, or why there is none. */
export function sambaUnderTest(): SambaUnderTest | string {
  const file = process.env.ENTRA_COEX_TEST_SAMBA;
  if (!file) {
    return "ENTRA_COEX_TEST_SAMBA is not set (scripts/test.sh sets it after `scripts/samba.sh start`)";
  }
  const connection = JSON.parse(readFileSync(file, "utf8")) as SambaConnection;
  const dir = path.dirname(file);
  const fabrikamOu = `OU=Fabrikam,${connection.baseDn}`;
  return {
    connection,
    fabrikamOu,
    admin: (overrides = {}) => ({
      url: connection.ldapsUrl,
      caCertPath: connection.caCertPath,
      bindDn: connection.adminBindDn,
      password: connection.adminPassword,
      baseDn: connection.baseDn,
      ...overrides,
    }),
    serviceAccount: (overrides = {}) => ({
      url: connection.ldapsUrl,
      caCertPath: connection.caCertPath,
      bindDn: connection.serviceAccount.bindDn,
      password: connection.serviceAccount.password,
      baseDn: fabrikamOu,
      ...overrides,
    }),
    seededUserDns: () => seededUserDns(readFileSync(seedFile, "utf8")),
    restart: () => {
      // Piped: a failure's message carries the script's stderr; success stays quiet.
      execFileSync("bash", [sambaScript, "restart", dir], { stdio: "pipe" });
    },
  };
}

/** The DNs of the LDIF's records that add an objectClass: user entry (dn:: is base64 UTF-8). */
function seededUserDns(ldif: string): string[] {
  const dns: string[] = [];
  for (const record of ldif.replace(/\n /g, "").split(/\n\s*\n/)) {
    const dnLine = /^dn(::?) (.*)$/m.exec(record);
    if (dnLine && /^changetype: add$/m.test(record) && /^objectClass: user$/m.test(record)) {
      dns.push(dnLine[1] === "::" ? Buffer.from(dnLine[2], "base64").toString("utf8") : dnLine[2]);
    }
  }
  return dns;
}
