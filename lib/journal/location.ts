// Where a stack's journal lives. It must outlive the process and the machine (a CI runner is
// thrown away after a crash, and the next run must find the originals), so it goes where the
// stack's state goes: beside it in a file backend, or in a directory the operator names and
// keeps. Any other backend needs the directory named until a store for it exists (store.ts says
// what such a store must provide).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { JournalConfig } from "./config";
import { Journal, type JournalOptions } from "./journal";
import { FileJournalStore } from "./store";

/** Under a file backend's root, beside Pulumi's own .pulumi directory. */
export const BACKEND_JOURNAL_DIR = path.join(".entra-coexistence", "journal");

export interface JournalLocation {
  directory: string;
  /** Why there, for messages and `coex journal`. */
  reason: string;
}

export class JournalLocationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JournalLocationError";
  }
}

export interface LocationInput {
  project: string;
  /** The stack's name; a fully qualified organization/project/stack is reduced to its last part. */
  stack: string;
  config?: JournalConfig;
  /** The backend's URL (see currentBackendUrl); not needed when config names a directory. */
  backendUrl?: string;
  /** Relative paths are relative to it (the directory of Pulumi.yaml). */
  projectDir: string;
}

/** The stack's journal directory: the configured one, else beside the state of a file backend. */
export function journalLocation(input: LocationInput): JournalLocation {
  const stack = input.stack.split("/").pop() ?? input.stack;
  for (const [what, name] of [
    ["project", input.project],
    ["stack", stack],
  ]) {
    if (!/^[\w.-]+$/.test(name) || name.startsWith(".")) {
      throw new JournalLocationError(
        `the ${what} name ${JSON.stringify(name)} cannot name a journal directory`,
      );
    }
  }
  if (input.config) {
    return {
      directory: path.join(path.resolve(input.projectDir, input.config.directory), input.project, stack),
      reason: "entra-coexistence:journal.directory in the stack configuration",
    };
  }
  const url = input.backendUrl;
  const root = url === undefined ? undefined : fileBackendRoot(url, input.projectDir);
  if (root === undefined) {
    throw new JournalLocationError(
      `the stack's backend is ${url === undefined ? "unknown" : redactUrl(url)}, and the journal of original ` +
        "values is kept beside the state only in a file backend (file://): name a directory that outlives " +
        "this machine with `pulumi config set --path entra-coexistence:journal.directory <dir>` " +
        "(a mounted share or a volume CI keeps), or use a file backend",
    );
  }
  return {
    directory: path.join(root, BACKEND_JOURNAL_DIR, input.project, stack),
    reason: `beside the stack's state in the file backend ${url}`,
  };
}

/** A file backend's root directory as Pulumi resolves it (file://~ is the home directory, a
 * relative path is relative to where pulumi runs: the project directory), or undefined for
 * another kind of backend. */
export function fileBackendRoot(url: string, projectDir: string): string | undefined {
  if (!url.startsWith("file://")) return undefined;
  let p = decodeURIComponent(url.slice("file://".length).split("?")[0]);
  if (p === "~") p = os.homedir();
  else if (p.startsWith("~/")) p = path.join(os.homedir(), p.slice(2));
  return path.resolve(projectDir, p);
}

/** The backend Pulumi uses here, as the CLI chooses it: PULUMI_BACKEND_URL, else what the CLI
 * says (`pulumi whoami`: the project's backend.url or the current login). Undefined when there is
 * none (not logged in). */
export function currentBackendUrl(
  projectDir: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (env.PULUMI_BACKEND_URL) return env.PULUMI_BACKEND_URL;
  const r = spawnSync("pulumi", ["whoami", "--json", "--non-interactive"], {
    cwd: projectDir,
    env,
    encoding: "utf8",
  });
  if (r.status !== 0) return undefined;
  try {
    const url = (JSON.parse(r.stdout) as { url?: unknown }).url;
    return typeof url === "string" && url.length > 0 ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The project's name from Pulumi.yaml (its `name:` line). */
export function projectNameOf(projectDir: string): string {
  const text = readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8");
  const m = /^name:\s*["']?([^"'\s#]+)/m.exec(text);
  if (!m) throw new JournalLocationError(`no project name in ${path.join(projectDir, "Pulumi.yaml")}`);
  return m[1];
}

/** Opens the stack's journal, creating it when new unless `create` is false (readers). */
export async function openJournal(
  location: JournalLocation,
  project: string,
  stack: string,
  options: JournalOptions & { create?: boolean } = {},
): Promise<Journal> {
  const store = new FileJournalStore(location.directory, { project, stack: stack.split("/").pop() ?? stack });
  await store.open({ create: options.create });
  return new Journal(store, options);
}

/** A backend URL for messages: a PostgreSQL URL may carry a password. */
function redactUrl(url: string): string {
  return url.replace(/\/\/[^/@]*@/, "//…@");
}
