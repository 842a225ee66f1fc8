// Drives the real pulumi CLI on this repository's program, with a local file backend and a stack
// configuration file written by the test (secrets stored as Pulumi secrets).
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { CONFIG_NAMESPACE, SECRET_CONFIG_PATHS } from "../../lib/config/stackConfig";
import type { TenantPairUnderTest } from "./tenantPairs";
import { workDir } from "./tenantPairs";

export const repoRoot = path.resolve(__dirname, "../../..");

export interface PulumiResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for assertions on what a person would read. */
  output: string;
}

/** A pulumi command started and not waited for (see PulumiStack.start). */
export interface RunningPulumi {
  /** The CLI's process id; it leads its own process group. */
  pid: number;
  /** Resolves when the CLI has exited (killed or not), with what it printed until then. */
  done: Promise<PulumiResult>;
  /** Output so far (stdout and stderr together). */
  output(): string;
  /** SIGKILL to the CLI and every process under it (language host, program, providers, the
   * commands they run): what a crash of the machine leaves. Returns the processes killed. */
  kill(): number[];
}

export class PulumiStack {
  readonly configFile: string;
  /** The environment every command of this stack runs with. */
  readonly env: NodeJS.ProcessEnv;

  readonly name: string;

  /** @param projectDir another Pulumi project than this repository's (a test program).
   * @param options.backendUrl another state backend than a file one in `dir` (e.g. postgres://). */
  constructor(
    name: string,
    dir = workDir(`stack-${name}`),
    readonly projectDir = repoRoot,
    options: { backendUrl?: string } = {},
  ) {
    this.name = `test-${name}`;
    this.configFile = path.join(dir, `Pulumi.${name}.yaml`);
    const state = path.join(dir, "state");
    mkdirSync(state, { recursive: true });
    this.env = {
      ...process.env,
      PULUMI_BACKEND_URL: options.backendUrl ?? `file://${state}`,
      PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
      PULUMI_HOME: path.join(dir, "pulumi-home"),
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
  }

  /** Writes the stack's configuration (JSON is YAML, and keeps the test free of a YAML writer).
   * The values at SECRET_CONFIG_PATHS are stored as Pulumi secrets, as users must store them
   * (`pulumi config set --secret --path`, the value on stdin); `plainSecrets` writes them as plain
   * text instead, for tests of the refusal. The stack must exist (init) when there are secrets. */
  writeConfig(config: Record<string, unknown>, options: { plainSecrets?: boolean } = {}): void {
    const plain = structuredClone(config);
    const secrets: Array<[string, string]> = [];
    for (const secretPath of options.plainSecrets ? [] : SECRET_CONFIG_PATHS) {
      const parent = secretPath
        .slice(0, -1)
        .reduce<unknown>(
          (o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined),
          plain,
        ) as Record<string, unknown> | undefined;
      const leaf = secretPath[secretPath.length - 1];
      if (parent && typeof parent === "object" && typeof parent[leaf] === "string") {
        secrets.push([`${CONFIG_NAMESPACE}:${secretPath.join(".")}`, parent[leaf] as string]);
        delete parent[leaf];
      }
    }
    const namespaced: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(plain)) namespaced[`${CONFIG_NAMESPACE}:${k}`] = v;
    writeFileSync(this.configFile, JSON.stringify({ config: namespaced }, null, 2));
    for (const [key, value] of secrets) {
      const r = spawnSync(
        "pulumi",
        [
          "config",
          "set",
          "--secret",
          "--path",
          key,
          "--non-interactive",
          "--stack",
          this.name,
          "--config-file",
          this.configFile,
        ],
        { cwd: this.projectDir, env: this.env, input: value, encoding: "utf8" },
      );
      if (r.status !== 0) {
        throw new Error(
          `pulumi config set --secret ${key} failed (is the stack initialised?): ${r.stderr}${r.stdout}`,
        );
      }
    }
  }

  async init(): Promise<void> {
    const r = await this.run(["stack", "init"]);
    if (r.code !== 0) throw new Error(`pulumi stack init failed:\n${r.output}`);
  }

  /** stack init writes stacks/Pulumi.<name>.yaml (the secrets salt) into the project: remove it. */
  dispose(): void {
    rmSync(path.join(repoRoot, "stacks", `Pulumi.${this.name}.yaml`), { force: true });
  }

  run(args: string[]): Promise<PulumiResult> {
    const full = [...args, "--non-interactive", "--stack", this.name];
    if (!["stack", "config", "cancel"].includes(args[0])) full.push("--config-file", this.configFile);
    return this.exec("pulumi", full);
  }

  /** Starts a pulumi command without waiting for it, in a process group of its own, so that a
   * test can kill the CLI and everything it started at once, as a crash of the machine would. */
  start(args: string[]): RunningPulumi {
    const full = [...args, "--non-interactive", "--stack", this.name, "--config-file", this.configFile];
    const child = spawn("pulumi", full, { cwd: this.projectDir, env: this.env, detached: true });
    const pid = child.pid;
    if (pid === undefined) throw new Error("pulumi could not be started");
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const done = new Promise<PulumiResult>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code, signal) =>
        resolve({ code: code ?? (signal ? -1 : 0), stdout, stderr, output: `${stdout}\n${stderr}` }),
      );
    });
    return {
      pid,
      done,
      output: () => `${stdout}\n${stderr}`,
      kill: () => killTree(pid),
    };
  }

  /** Runs our `coex` command line with this stack's environment. */
  coex(args: string[]): Promise<PulumiResult> {
    return this.exec(process.execPath, [
      path.join(repoRoot, "dist/cli/coex.js"),
      ...args,
      "--stack",
      this.name,
      "--config-file",
      this.configFile,
    ]);
  }

  /** Runs our `coex` command line in the repository with this stack's environment and the
   * arguments as given: for commands that name their stacks themselves (`wave report <stack>`,
   * `review --stack A --stack B`). */
  coexAsGiven(args: string[]): Promise<PulumiResult> {
    return this.exec(process.execPath, [path.join(repoRoot, "dist/cli/coex.js"), ...args], repoRoot);
  }

  private exec(command: string, args: string[], cwd = this.projectDir): Promise<PulumiResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { cwd, env: this.env });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => {
        stdout += d;
      });
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      child.on("error", reject);
      child.on("close", (code) =>
        resolve({ code: code ?? -1, stdout, stderr, output: `${stdout}\n${stderr}` }),
      );
    });
  }

  /** Runs and fails with the CLI's whole output unless it exits with `expected`. */
  async expect(args: string[], expected = 0): Promise<PulumiResult> {
    const r = await this.run(args);
    if (r.code !== expected) {
      throw new Error(`pulumi ${args.join(" ")} exited ${r.code}, expected ${expected}:\n${r.output}`);
    }
    return r;
  }

  async exportState(): Promise<{ deployment: { resources: Array<Record<string, unknown>> } }> {
    const r = await this.expect(["stack", "export"]);
    return JSON.parse(r.stdout);
  }
}

/** Stops (SIGSTOP) the process and all its descendants until no new one appears, then SIGKILLs
 * them all. Pulumi starts its plugins in process groups of their own (and the delta-sync hook runs
 * detached), so killing the CLI's group alone would leave the provider running the procedure. */
function killTree(root: number): number[] {
  const stopped = new Set<number>();
  for (;;) {
    const children = new Map<number, number[]>();
    const ps = spawnSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" });
    for (const line of ps.stdout.trim().split("\n")) {
      const [pid, ppid] = line.trim().split(/\s+/).map(Number);
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    }
    const tree: number[] = [];
    const walk = (pid: number) => {
      tree.push(pid);
      for (const c of children.get(pid) ?? []) walk(c);
    };
    walk(root);
    const fresh = tree.filter((p) => !stopped.has(p));
    if (fresh.length === 0) break;
    for (const p of fresh) {
      stopped.add(p);
      try {
        process.kill(p, "SIGSTOP");
      } catch {
        // gone already
      }
    }
  }
  for (const p of stopped) {
    try {
      process.kill(p, "SIGKILL");
    } catch {
      // gone already
    }
  }
  return [...stopped];
}

/** Stack configuration for a tenant pair, with optional overrides of crossTenantAccess. */
export function stackConfigFor(pair: TenantPairUnderTest, crossTenantAccess?: Record<string, unknown>) {
  const conn = (role: "source" | "target") => ({
    tenantId: pair.connections[role].tenantId,
    domain: pair.connections[role].domain,
    clientId: pair.connections[role].clientId,
    // Relative to the project directory, as users write it (Pulumi runs the program from dist/).
    credential: {
      kind: "certificate",
      certificatePath: path.relative(repoRoot, pair.connections[role].certificatePath),
    },
  });
  return {
    cloud: pair.cloud,
    source: conn("source"),
    target: conn("target"),
    ...(crossTenantAccess ? { crossTenantAccess } : {}),
  };
}

/** crossTenantAccess settings that make a valid reach-back pairing, with the source default's
 * inbound trust managed too (so that destroy has something to put back). */
export const REACH_BACK_SETTINGS = {
  inboundTrust: {
    isMfaAccepted: true,
    isCompliantDeviceAccepted: true,
    isHybridAzureADJoinedDeviceAccepted: true,
  },
  automaticRedemption: { sourceInbound: true, targetOutbound: true },
  sourceDefault: {
    inboundTrust: {
      isMfaAccepted: true,
      isCompliantDeviceAccepted: false,
      isHybridAzureADJoinedDeviceAccepted: false,
    },
  },
};
