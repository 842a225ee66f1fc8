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

export class PulumiStack {
  readonly configFile: string;
  private readonly env: NodeJS.ProcessEnv;

  readonly name: string;

  /** @param projectDir another Pulumi project than this repository's (a test program). */
  constructor(
    name: string,
    dir = workDir(`stack-${name}`),
    readonly projectDir = repoRoot,
  ) {
    this.name = `test-${name}`;
    this.configFile = path.join(dir, `Pulumi.${name}.yaml`);
    const state = path.join(dir, "state");
    mkdirSync(state, { recursive: true });
    this.env = {
      ...process.env,
      PULUMI_BACKEND_URL: `file://${state}`,
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
    if (!["stack", "config"].includes(args[0])) full.push("--config-file", this.configFile);
    return this.exec("pulumi", full);
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

  private exec(command: string, args: string[]): Promise<PulumiResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { cwd: this.projectDir, env: this.env });
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
