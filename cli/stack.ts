// What the coex commands read from a stack through the pulumi CLI: its validated configuration
// and its outputs.
import { spawnSync } from "node:child_process";
import {
  CONFIG_NAMESPACE,
  findProjectDir,
  loadStackConfig,
  type StackConfig,
} from "../lib/config/stackConfig";

export interface StackRef {
  stack: string;
  configFile?: string;
}

/** Runs pulumi on the stack (with its configuration file when `withConfigFile`) and returns stdout. */
export function pulumi(args: string[], ref: StackRef, withConfigFile = true): string {
  const full = [...args, "--stack", ref.stack, "--non-interactive"];
  if (ref.configFile && withConfigFile) full.push("--config-file", ref.configFile);
  const r = spawnSync("pulumi", full, { cwd: findProjectDir(), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** The stack's validated configuration, as `pulumi config` gives it. */
export function stackConfigOf(ref: StackRef): StackConfig {
  const all = JSON.parse(pulumi(["config", "--json", "--show-secrets"], ref)) as Record<
    string,
    { value?: string }
  >;
  return loadStackConfig((key) => all[`${CONFIG_NAMESPACE}:${key}`]?.value);
}

/** The outputs of the stack's last update. */
export function stackOutputsOf(ref: StackRef): Record<string, unknown> {
  return JSON.parse(pulumi(["stack", "output", "--json", "--show-secrets"], ref, false)) as Record<
    string,
    unknown
  >;
}
