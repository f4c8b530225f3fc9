#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from "commander";
import { runGenerateCrds } from "./commands/generate.ts";
import { runOperatorCommand, type OperatorCommandOptions } from "./commands/operator.ts";
import { parseDuration } from "./policy/duration.ts";

const durationArg = (value: string): number => {
  try {
    return parseDuration(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};

function durationOption(flag: string, description: string, fallback: string): Option {
  return new Option(`${flag} <duration>`, `${description} (Go duration, such as 90s or 2h)`)
    .argParser(durationArg)
    .default(parseDuration(fallback), fallback);
}

const portArg = (value: string): number => {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError("must be a port number from 0 to 65535");
  }
  return port;
};

/** The ordering client-go's leader election requires of its timings, as a message if broken. */
function leaderElectionProblem(o: OperatorCommandOptions): string | undefined {
  if (!o.leaderElect) return undefined;
  if (o.retryPeriod <= 0) return "--retry-period must be longer than 0s";
  if (o.renewDeadline <= o.retryPeriod)
    return "--renew-deadline must be longer than --retry-period";
  if (o.leaseDuration <= o.renewDeadline) {
    return "--lease-duration must be longer than --renew-deadline";
  }
  return undefined;
}

const program = new Command()
  .name("cloudops")
  .description(
    "Provision cloud infrastructure with Terraform or OpenTofu under per-guild guardrails.",
  )
  .showHelpAfterError("(run with --help for usage)");

program
  .command("operator")
  .description("Run the operator: controllers, leader election, probes and metrics.")
  .option(
    "--kubeconfig <path>",
    "kubeconfig to use (default: $KUBECONFIG, ~/.kube/config, in-cluster)",
  )
  .addOption(
    new Option("--local-plane <mode>", "start a local etcd and kube-apiserver")
      .choices(["auto", "never", "always"])
      .default("never"),
  )
  .option("--probe-host <host>", "address for /healthz, /readyz and /metrics", "0.0.0.0")
  .option("--probe-port <port>", "port for /healthz, /readyz and /metrics", portArg, 8080)
  .option("--no-leader-elect", "run without leader election (only ever one replica)")
  .option(
    "--leader-election-namespace <ns>",
    "namespace of the leader Lease",
    process.env.POD_NAMESPACE ?? "cloudops-system",
  )
  .option("--leader-election-id <name>", "name of the leader Lease", "cloudops-operator")
  .addOption(durationOption("--lease-duration", "how long a leader Lease is valid", "15s"))
  .addOption(
    durationOption("--renew-deadline", "give up leading after failing to renew this long", "10s"),
  )
  .addOption(durationOption("--retry-period", "how often to acquire or renew the Lease", "2s"))
  .addOption(durationOption("--jit-retention", "keep ended JitGrants this long for audit", "168h"))
  .addOption(
    new Option("--log-level <level>", "log level")
      .choices(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .default(process.env.LOG_LEVEL ?? "info"),
  )
  .action(function (this: Command, options: OperatorCommandOptions) {
    const problem = leaderElectionProblem(options);
    if (problem) this.error(`error: ${problem}`);
    return runOperatorCommand(options);
  });

program
  .command("generate")
  .description("Generate files from the source of truth in src/.")
  .command("crds")
  .description("Write the CustomResourceDefinitions made from the zod schemas in src/crds.")
  .option("--out <dir>", "directory to write to", "config/crd")
  .option("--check", "exit 1 if the files in --out differ from what would be written")
  .action((options: { out: string; check?: boolean }) => runGenerateCrds(options));

await program.parseAsync(process.argv);
