// Opening one bound LDAP connection: TLS set up so the server certificate is verified (LDAPS, or
// StartTLS before the bind), the bind as the configured account, and telling a dropped connection
// apart from an answer. The client (client.ts) keeps the connection and reopens it when it drops.
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { type ConnectionOptions, connect as connectTls } from "node:tls";
import { Client, ResultCodeError } from "ldapts";
import { DirectoryError, directoryError } from "./errors";
import type { DirectoryConfig } from "./types";

export const DEFAULT_TIMEOUT_MS = 30_000;

/** The config's problems that no server is needed to see. */
export function checkConfig(config: DirectoryConfig): void {
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    throw new DirectoryError(`directory url "${config.url}" is not a URL (expected ldaps://host:636)`);
  }
  if (url.protocol !== "ldaps:" && url.protocol !== "ldap:") {
    throw new DirectoryError(`directory url "${config.url}" must start with ldaps:// or ldap://`);
  }
  if (url.protocol === "ldaps:" && config.startTls) {
    throw new DirectoryError(`directory url "${config.url}" is already TLS: startTls is for ldap:// URLs`);
  }
  if (url.protocol === "ldap:" && !config.startTls) {
    throw new DirectoryError(
      `directory url "${config.url}" is plain LDAP: the bind would send the password in clear; ` +
        "use ldaps:// (port 636) or set startTls",
    );
  }
  if (!config.bindDn || !config.password) {
    // An empty password makes a simple bind "unauthenticated", which AD may accept as anonymous.
    throw new DirectoryError(
      "directory bindDn and password must both be given (an empty password binds anonymously)",
    );
  }
}

function tlsOptions(config: DirectoryConfig, host: string): ConnectionOptions {
  const options: ConnectionOptions = { host };
  if (isIP(host) === 0) {
    options.servername = host;
  }
  if (config.caCertPath) {
    try {
      options.ca = [readFileSync(config.caCertPath)];
    } catch (err) {
      const reason = (err as Error).message;
      throw new DirectoryError(`connect ${config.url}: cannot read caCertPath: ${reason}`, { cause: err });
    }
  }
  if (config.allowInsecureTls) {
    options.rejectUnauthorized = false;
    const warn = config.warn ?? ((message: string) => process.stderr.write(`${message}\n`));
    warn(
      `WARNING: connecting to ${config.url} WITHOUT verifying the server certificate (allowInsecureTls): ` +
        `anyone on the path can read ${config.bindDn}'s password and the directory's answers`,
    );
  }
  return options;
}

/** One bound connection, and whether it can still be used. */
export interface Session {
  client: Client;
  /** False once the connection closed (server restart, idle timeout, network). */
  alive(): boolean;
  /** Ends the connection; never fails and never waits on a dead one. */
  close(): Promise<void>;
}

/** A new connection, over TLS and bound as config.bindDn. */
export async function openSession(config: DirectoryConfig): Promise<Session> {
  const url = new URL(config.url);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const timeout = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const tls = tlsOptions(config, host);
  let tlsClosed = false;
  // ldapts treats any tlsOptions as "connect with TLS", also for ldap:// (which then dies on port
  // 389 with ECONNRESET): give them only with ldaps://, and to startTLS otherwise.
  const client = new Client({
    url: config.url,
    timeout,
    connectTimeout: timeout,
    ...(url.protocol === "ldaps:" ? { tlsOptions: tls } : {}),
    // After startTLS, ldapts still listens for "close" on the plain socket, which no longer
    // reports anything: requests would wait for the timeout and the client would look connected.
    // Closing the plain socket with the TLS one makes ldapts fail the waiting requests at once.
    ...(config.startTls
      ? {
          createSecureConnection: ((options: ConnectionOptions) => {
            const secure = connectTls(options);
            secure.once("close", () => {
              tlsClosed = true;
              options.socket?.destroy();
            });
            return secure;
          }) as typeof connectTls,
        }
      : {}),
  });
  const session: Session = {
    client,
    alive: () => client.isBound && !tlsClosed,
    close: async () => {
      // A dead StartTLS session would wait for the timeout to unbind: drop it instead.
      if (!tlsClosed) {
        await client.unbind().catch(() => undefined);
      }
    },
  };
  try {
    if (config.startTls) {
      await client.startTLS(tls);
    }
  } catch (err) {
    await session.close();
    throw directoryError("StartTLS with", config.url, err);
  }
  try {
    await client.bind(config.bindDn, config.password);
  } catch (err) {
    await session.close();
    // A TLS or network failure surfaces at the bind (the first use of an ldaps:// connection).
    throw err instanceof ResultCodeError
      ? directoryError("bind as", config.bindDn, err, config.bindDn)
      : directoryError("connect", config.url, err);
  }
  return session;
}

/**
 * True when `err` says the connection went away (server restarted, idle timeout, network) rather
 * than that the server refused the operation: such an operation may be retried on a new connection.
 */
export function isConnectionLoss(err: unknown): boolean {
  if (err instanceof ResultCodeError || err instanceof DirectoryError) {
    return false;
  }
  const e = err as NodeJS.ErrnoException;
  if (
    e?.code &&
    ["ECONNRESET", "EPIPE", "ECONNABORTED", "ERR_SOCKET_CLOSED", "ERR_STREAM_DESTROYED"].includes(e.code)
  ) {
    return true;
  }
  // ldapts reports a connection lost under a pending request only in its message.
  return /Connection closed before message response|Socket error|Socket connection not established/i.test(
    e?.message ?? "",
  );
}
