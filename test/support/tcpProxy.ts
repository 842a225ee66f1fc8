// A TCP proxy between a client under test and a server (Samba's LDAPS port), so that a test can
// make the network fail where it wants: cut every open connection at once (what a domain
// controller's restart, a firewall's idle timeout or a broken link looks like to the client), and
// turn away the next connections (a server that is not back yet). Bytes pass through untouched:
// TLS is end to end, so the proxy listens on the server's own address (the certificate names it).
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

export interface ProxyStats {
  /** Connections passed through to the server. */
  accepted: number;
  /** Connections turned away (reset at once). */
  refused: number;
  /** Connections cut while open. */
  cut: number;
  /** The most connections open at once. */
  peakOpen: number;
}

export class TcpProxy {
  readonly stats: ProxyStats = { accepted: 0, refused: 0, cut: 0, peakOpen: 0 };
  private readonly open = new Set<{ client: Socket; server: Socket }>();
  private toRefuse = 0;

  private constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
  ) {}

  /** A proxy on `listenHost` (an ephemeral port) to `target`. */
  static async start(target: { host: string; port: number }, listenHost = target.host): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = createServer((client) => proxy?.accept(client, target));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, listenHost, () => resolve());
    });
    const address = server.address();
    if (!address || typeof address === "string") throw new Error("the proxy has no TCP address");
    proxy = new TcpProxy(server, listenHost, address.port);
    return proxy;
  }

  /** The URL of `url` (e.g. ldaps://127.0.0.2:636) through the proxy. */
  through(url: string): string {
    const u = new URL(url);
    return `${u.protocol}//${this.host}:${this.port}${u.pathname === "/" ? "" : u.pathname}`;
  }

  /** Connections open now. */
  get openConnections(): number {
    return this.open.size;
  }

  /** Cuts every open connection (a reset on both sides); returns how many there were. */
  cutAll(): number {
    const n = this.open.size;
    for (const pair of this.open) {
      pair.client.resetAndDestroy();
      pair.server.destroy();
    }
    this.open.clear();
    this.stats.cut += n;
    return n;
  }

  /** Turns away the next `count` connections: each is reset as soon as it is accepted. */
  refuseNext(count: number): void {
    this.toRefuse = count;
  }

  async close(): Promise<void> {
    this.toRefuse = 0;
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, target: { host: string; port: number }): void {
    if (this.toRefuse > 0) {
      this.toRefuse -= 1;
      this.stats.refused += 1;
      client.on("error", () => undefined);
      client.resetAndDestroy();
      return;
    }
    this.stats.accepted += 1;
    const server = tcpConnect(target.port, target.host);
    const pair = { client, server };
    this.open.add(pair);
    this.stats.peakOpen = Math.max(this.stats.peakOpen, this.open.size);
    const end = () => {
      this.open.delete(pair);
      client.destroy();
      server.destroy();
    };
    // Errors end the pair; they are the point of this proxy, not a failure of the test.
    client.on("error", end).on("close", end);
    server.on("error", end).on("close", end);
    client.pipe(server);
    server.pipe(client);
  }
}
