import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run("openssl", args, { cwd });
  } catch (cause) {
    throw new Error(`openssl ${args[0]} failed; is openssl installed?`, { cause });
  }
}

export interface CertPair {
  cert: string;
  key: string;
}

export interface PlaneCerts {
  ca: CertPair;
  serving: CertPair;
  serviceAccount: CertPair;
  admin: CertPair;
}

/** A certificate authority and key, as files. */
export async function createCa(dir: string, name: string): Promise<CertPair> {
  const ca = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  await openssl(
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      ca.key,
      "-out",
      ca.cert,
      "-days",
      "2",
      "-subj",
      `/CN=${name}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
    ],
    dir,
  );
  return ca;
}

export interface LeafOptions {
  dir: string;
  ca: CertPair;
  name: string;
  commonName: string;
  organizations?: string[];
  /** Subject alternative names for a serving certificate, such as IP:127.0.0.1. */
  altNames?: string[];
}

/** A certificate signed by the CA: a client certificate, or a serving one with altNames. */
export async function createLeaf(options: LeafOptions): Promise<CertPair> {
  const { dir, ca, name } = options;
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  const subject =
    (options.organizations ?? []).map((o) => `/O=${o}`).join("") + `/CN=${options.commonName}`;
  const usage = options.altNames ? "serverAuth" : "clientAuth";
  const extLines = [
    "basicConstraints=critical,CA:FALSE",
    "keyUsage=critical,digitalSignature,keyEncipherment",
    `extendedKeyUsage=${usage}`,
  ];
  if (options.altNames) extLines.push(`subjectAltName=${options.altNames.join(",")}`);
  await writeFile(ext, extLines.join("\n") + "\n");
  await openssl(
    [
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      pair.key,
      "-out",
      csr,
      "-subj",
      subject,
    ],
    dir,
  );
  await openssl(
    [
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      ca.cert,
      "-CAkey",
      ca.key,
      "-CAcreateserial",
      "-out",
      pair.cert,
      "-days",
      "2",
      "-extfile",
      ext,
    ],
    dir,
  );
  return pair;
}

/** Everything a local kube-apiserver needs, in one directory. */
export async function createPlaneCerts(dir: string): Promise<PlaneCerts> {
  const ca = await createCa(dir, "ca");
  const [serving, admin, serviceAccount] = await Promise.all([
    createLeaf({
      dir,
      ca,
      name: "apiserver",
      commonName: "kube-apiserver",
      altNames: ["IP:127.0.0.1", "DNS:localhost", "IP:10.0.0.1", "DNS:kubernetes.default.svc"],
    }),
    createLeaf({ dir, ca, name: "admin", commonName: "admin", organizations: ["system:masters"] }),
    createServiceAccountKey(dir),
  ]);
  return { ca, serving, admin, serviceAccount };
}

async function createServiceAccountKey(dir: string): Promise<CertPair> {
  const pair = { cert: join(dir, "sa.pub"), key: join(dir, "sa.key") };
  await openssl(
    ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", pair.key],
    dir,
  );
  await openssl(["pkey", "-in", pair.key, "-pubout", "-out", pair.cert], dir);
  return pair;
}
