// What the benchmarks in bench/ share: an LDAP proxy that counts the operations a stack's
// provider sends to Samba, a sampler of the provider process's peak memory, a small worker pool,
// the command line's options, the printed lines and the state per user. Benchmarks print
// figures, never assert them.
import { readdirSync, readFileSync } from "node:fs";
import { type Server, connect as tcpConnect } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { issueServerCert, type KeyAndCert } from "../emulator/pki";
import type { PulumiStack } from "../test/support/pulumi";

/** `--name <number>` on the command line, or `fallback`. */
export function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

/** The first number on the command line that is not an option's value. */
export function positionalNumber(fallback: number): number {
  const found = process.argv.slice(2).find((a, i, all) => /^\d+$/.test(a) && !all[i - 1]?.startsWith("--"));
  return Number(found ?? fallback);
}

export const seconds = (ms: number) => (ms / 1000).toFixed(1);
export const since = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;
export const line = (label: string, value: string) => console.log(`  ${label.padEnd(44)} ${value}`);

/** LDAP operations seen by the proxy, by protocolOp (RFC 4511 application tags). */
const OPS: Record<number, string> = {
  96: "bind",
  99: "search",
  102: "modify",
  104: "add",
  74: "delete",
  108: "modifyDN",
};

/** A proxy to Samba's ldap:// port that counts the LDAP operations clients send. */
export class LdapCounter {
  counts: Record<string, number> = {};
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens with TLS (a certificate of `ca`) and forwards in clear to `host`:`port`. */
  static async start(host: string, port: number, ca: KeyAndCert): Promise<LdapCounter> {
    let counter: LdapCounter | undefined;
    const tls = issueServerCert(ca);
    const server = createTlsServer({ key: tls.keyPem, cert: tls.certPem }, (client) => {
      const upstream = tcpConnect({ host, port });
      let pending: Buffer = Buffer.alloc(0);
      client.on("data", (chunk) => {
        pending = counter ? counter.parse(Buffer.concat([pending, chunk])) : pending;
        upstream.write(chunk);
      });
      upstream.pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on("error", end);
      upstream.on("error", end);
      client.on("close", end);
      upstream.on("close", end);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    counter = new LdapCounter(server, typeof address === "object" && address ? address.port : 0);
    return counter;
  }

  /** Counts the whole messages in `buf`; returns what is left of a message not yet complete. */
  private parse(buf: Buffer): Buffer {
    let at = 0;
    for (;;) {
      if (buf.length - at < 2 || buf[at] !== 0x30) return buf.subarray(at);
      const [len, lenBytes] = berLength(buf, at + 1);
      if (len < 0 || at + 1 + lenBytes + len > buf.length) return buf.subarray(at);
      const body = at + 1 + lenBytes;
      // messageID INTEGER, then the operation's tag.
      const [idLen, idLenBytes] = berLength(buf, body + 1);
      const op = buf[body + 1 + idLenBytes + idLen];
      const name = OPS[op] ?? `op${op.toString(16)}`;
      this.counts[name] = (this.counts[name] ?? 0) + 1;
      at = body + len;
    }
  }

  reset(): void {
    this.counts = {};
  }

  writes(): number {
    return (this.counts.modify ?? 0) + (this.counts.add ?? 0) + (this.counts.delete ?? 0);
  }

  close(): void {
    this.server.close();
  }
}

function berLength(buf: Buffer, at: number): [number, number] {
  if (at >= buf.length) return [-1, 0];
  const first = buf[at];
  if (first < 0x80) return [first, 1];
  const n = first & 0x7f;
  if (at + n >= buf.length) return [-1, 0];
  let len = 0;
  for (let i = 1; i <= n; i++) len = len * 256 + buf[at + i];
  return [len, 1 + n];
}

/** The highest VmHWM (kB) of the dynamic-provider processes seen while sampling. */
export class RssSampler {
  peakKb = 0;
  private timer?: NodeJS.Timeout;

  start(): void {
    this.timer = setInterval(() => this.sample(), 250);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
        if (!cmdline.includes("cmd/dynamic-provider")) continue;
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
        if (hwm) this.peakKb = Math.max(this.peakKb, Number(hwm[1]));
      } catch {
        // gone meanwhile
      }
    }
  }
}

/** Runs `work` over `items` with `concurrency` at once. */
export async function pool<T>(
  items: T[],
  concurrency: number,
  work: (item: T, worker: number) => Promise<void>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = next++; i < items.length; i = next++) await work(items[i], w);
    }),
  );
}

/** Bytes per ReachBackUser resource in `pulumi stack export` (the whole entry, as compact JSON:
 * what the file backend's checkpoint holds); `users`, when given, is how many there must be. */
export async function stateBytesPerUser(stack: PulumiStack, users?: number): Promise<number> {
  const mine = (await stack.exportState()).deployment.resources.filter((r) =>
    String(r.type).endsWith(":ReachBackUser"),
  );
  if (users !== undefined && mine.length !== users) {
    throw new Error(`stack export has ${mine.length} user resources, not ${users}`);
  }
  return mine.reduce((n, r) => n + JSON.stringify(r).length, 0) / Math.max(mine.length, 1);
}
