import type { Logger } from "pino";
import type { JitLevel, JitTransition } from "../../crds/jit-grant.ts";
import type { Provider } from "../../crds/common.ts";

/** What a grantee is told when their access starts or ends. */
export interface GrantNotification {
  transition: JitTransition;
  guildId: string | undefined;
  namespace: string;
  grantName: string;
  userId: string;
  userName: string | undefined;
  level: JitLevel;
  provider: Provider;
  grantedBy: string | undefined;
  durationMs: number | undefined;
  expiresAt: string | undefined;
}

/**
 * Tells a grantee about a transition of their grant. Called at most once per transition: the
 * controller records the transition in status before calling, so a restart never repeats it.
 * An implementation should not throw for an unreachable user; a thrown error is logged.
 */
export interface Notifier {
  notify(notification: GrantNotification): Promise<void>;
}

/** Writes each notification as a structured log line; the default when no bot is configured. */
export class LogNotifier implements Notifier {
  private readonly log: Logger;

  constructor(log: Logger) {
    this.log = log;
  }

  async notify(n: GrantNotification): Promise<void> {
    this.log.info(
      {
        transition: n.transition,
        guild: n.guildId,
        user: n.userId,
        namespace: n.namespace,
        grant: n.grantName,
        level: n.level,
        provider: n.provider,
        expiresAt: n.expiresAt,
      },
      "Sent grant notification",
    );
  }
}
