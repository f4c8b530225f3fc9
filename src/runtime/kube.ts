import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  RbacAuthorizationV1Api,
  AuthorizationV1Api,
  type RequestContext,
} from "@kubernetes/client-node";
import type { Dispatcher } from "undici";

/** The typed API clients the operator uses, made once from one KubeConfig. */
export interface KubeClients {
  config: KubeConfig;
  core: CoreV1Api;
  rbac: RbacAuthorizationV1Api;
  coordination: CoordinationV1Api;
  custom: CustomObjectsApi;
  authorization: AuthorizationV1Api;
  objects: KubernetesObjectApi;
}

/**
 * A KubeConfig whose requests share one connection pool. client-node 2.0 builds a new undici
 * Agent for every request, so every call opens a fresh TLS connection; under load that costs
 * more than the request itself. Credentials still apply per request (headers such as bearer
 * tokens are set each time); the TLS material of the pooled connections is the one read first.
 */
export class PooledKubeConfig extends KubeConfig {
  private readonly dispatchers = new Map<string, Dispatcher>();

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const fresh = context.getDispatcher();
    if (!fresh) return;
    const key = `${this.getCurrentCluster()?.name}|${this.getCurrentUser()?.name}`;
    const pooled = this.dispatchers.get(key);
    if (pooled) {
      context.setDispatcher(pooled);
      void (fresh as Dispatcher).close();
    } else {
      this.dispatchers.set(key, fresh as Dispatcher);
    }
  }
}

export function makeClients(config: KubeConfig): KubeClients {
  return {
    config,
    core: config.makeApiClient(CoreV1Api),
    rbac: config.makeApiClient(RbacAuthorizationV1Api),
    coordination: config.makeApiClient(CoordinationV1Api),
    custom: config.makeApiClient(CustomObjectsApi),
    authorization: config.makeApiClient(AuthorizationV1Api),
    objects: KubernetesObjectApi.makeApiClient(config),
  };
}

/** The HTTP status of an API error, looking through errors wrapped with `cause`. */
export function statusCode(err: unknown): number | undefined {
  for (let e = err, depth = 0; e && depth < 8; depth++) {
    if (e instanceof ApiException) return e.code;
    const { code, statusCode } = e as { code?: unknown; statusCode?: unknown };
    if (typeof code === "number") return code;
    if (typeof statusCode === "number") return statusCode;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export const isNotFound = (err: unknown): boolean => statusCode(err) === 404;
export const isConflict = (err: unknown): boolean => statusCode(err) === 409;
export const isAlreadyExists = (err: unknown): boolean => statusCode(err) === 409;

/**
 * Errors worth retrying with backoff: everything but a request the API server rejected as
 * invalid (400, 422), which fails the same way until the object changes. A 403 or 404 is
 * retried, since RBAC or a namespace can be fixed without touching the object.
 */
export function isTransient(err: unknown): boolean {
  const code = statusCode(err);
  return code !== 400 && code !== 422;
}

/** The message the API server put in a Status body, for error reports users can act on. */
export function apiMessage(err: unknown): string {
  const fallback = err instanceof Error ? err.message : String(err);
  if (!(err instanceof ApiException)) return fallback;
  const body = err.body as unknown;
  return statusMessage(typeof body === "string" ? parseJson(body) : body) ?? fallback;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

function statusMessage(body: unknown): string | undefined {
  const message = (body as { message?: unknown } | null)?.message;
  return typeof message === "string" && message ? message : undefined;
}

/** Splits a "namespace/name" or "name" queue key. */
export function parseKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf("/");
  if (slash < 0) return { name: key };
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function keyOf(obj: { metadata?: { name?: string; namespace?: string } }): string {
  const name = obj.metadata?.name ?? "";
  return obj.metadata?.namespace ? `${obj.metadata.namespace}/${name}` : name;
}
