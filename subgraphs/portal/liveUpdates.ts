import { randomUUID } from 'node:crypto';
import type { Logger } from '../../lib/logger.js';
import type { SharedStore } from '../../lib/redis.js';
import type { ApplicationChange, ApplicationRecord, PortalStore } from './store.js';

/**
 * The channel on which portal replicas tell each other that a citizen's applications changed. Channels
 * take no key prefix from ioredis: the platform's is put before it here, as before every key.
 */
export function applicationsChannel(keyPrefix: string): string {
  return `${keyPrefix}portal:applications`;
}

/** One event of a live stream: the application as of that event, and the event's id, sent as the SSE `id:`. */
export interface ApplicationUpdate {
  eventId: string;
  applicationUpdated: ApplicationRecord;
}

/** The events read from the database in one go; a longer backlog is read page by page. */
const PAGE = 100;

/**
 * With Redis, how long a stream waits for a notice before it looks again anyway: a notice lost to a
 * Redis hiccup (a publish that timed out while the subscribers stayed connected) delays an event by
 * at most this, one indexed read per open stream. In memory no notice can be lost.
 */
export const LOST_NOTICE_RECHECK_MS = 3000;

/** What a notice on the channel says: whose applications changed, and which replica says so. */
interface Notice {
  dni: string;
  from: string;
}

/**
 * Tells each live stream of a citizen that their applications changed. A notice is only a wake-up:
 * the stream then reads from the database every event after the last one it sent, so a notice lost,
 * doubled or late costs at most a delay, never an event missed or sent twice. Without Redis, the
 * notices of this process (enough for one replica); with it, every replica's.
 */
export class ApplicationFeed {
  private readonly followers = new Map<string, Set<() => void>>();
  /** This replica's own notices come back from Redis: they were delivered already. */
  private readonly replica = randomUUID();
  private readonly stopListening: () => void;

  constructor(
    private readonly store: PortalStore,
    private readonly logger: Logger,
    private readonly shared: { store: SharedStore; keyPrefix: string } | null = null,
  ) {
    if (!shared) {
      this.stopListening = () => {};
      return;
    }
    this.stopListening = shared.store.subscribe(applicationsChannel(shared.keyPrefix), (message) => {
      const notice = parseNotice(message);
      if (notice && notice.from !== this.replica) this.wake(notice.dni);
    });
    // Notices published while Redis was away are lost: once it is back, every stream looks again.
    void shared.store.keep(async () => {
      for (const dni of this.followers.keys()) this.wake(dni);
    });
  }

  /** PortalStore's `changed`: called once an event's transaction has committed. */
  readonly changed = (change: ApplicationChange): void => {
    this.wake(change.dni);
    const redis = this.shared?.store.redis;
    if (!redis || !this.shared) return;
    const notice: Notice = { dni: change.dni, from: this.replica };
    void this.shared.store.failOpen(() => redis.publish(applicationsChannel(this.shared!.keyPrefix), JSON.stringify(notice)), 0);
  };

  /**
   * The events of `dni`'s applications, in id order, for as long as the caller iterates: first those
   * after `afterId` (the client's Last-Event-ID) already written, then each new one. Without
   * `afterId`, only events written from now on: from before it resolves, which is before the
   * client is told the stream is open.
   */
  async follow(dni: string, afterId: string | null): Promise<AsyncIterableIterator<ApplicationUpdate>> {
    const start = afterId ?? (await this.store.lastEventIdOf(dni));
    let closed = false;
    let noticed = false;
    let wakeUp: (() => void) | null = null;
    const onNotice = () => {
      noticed = true;
      wakeUp?.();
    };
    // Listening before the first read: an event written since `start` is read, not missed.
    const mine = this.followers.get(dni) ?? new Set();
    this.followers.set(dni, mine);
    mine.add(onNotice);
    const stop = () => {
      if (closed) return;
      closed = true;
      mine.delete(onNotice);
      if (!mine.size && this.followers.get(dni) === mine) this.followers.delete(dni);
      wakeUp?.();
    };
    const recheck = this.shared ? LOST_NOTICE_RECHECK_MS : null;
    const nextNotice = () =>
      new Promise<void>((resolve) => {
        if (noticed || closed) return resolve();
        const timer = recheck === null ? null : setTimeout(resolve, recheck);
        wakeUp = () => {
          if (timer) clearTimeout(timer);
          resolve();
        };
      }).finally(() => {
        wakeUp = null;
        noticed = false;
      });
    const store = this.store;
    const updates = (async function* () {
      try {
        let last = start;
        for (;;) {
          const events = await store.eventsOfCitizenSince(dni, last, PAGE);
          if (closed) return;
          if (!events.length) {
            await nextNotice();
            if (closed) return;
            continue;
          }
          const applications = new Map((await store.applicationsById([...new Set(events.map((event) => event.applicationId))])).map((row) => [row.id, row]));
          for (const event of events) {
            const application = applications.get(event.applicationId);
            last = event.eventId;
            if (!application || closed) continue;
            yield { eventId: event.eventId, applicationUpdated: { ...application, status: event.status, updatedAt: event.at } };
          }
        }
      } finally {
        stop();
      }
    })();
    const logger = this.logger;
    // An async generator waiting for a notice would take a return() only after the next one: the
    // stream is ended from outside instead, so that a client gone is let go at once.
    const stream: AsyncIterableIterator<ApplicationUpdate> = {
      [Symbol.asyncIterator]: () => stream,
      next: () => updates.next(),
      async return() {
        stop();
        await updates.return(undefined).catch((error: unknown) => logger.warn({ err: error }, 'a live stream failed while ending'));
        return { done: true, value: undefined };
      },
      async throw(error: unknown) {
        stop();
        return updates.throw(error);
      },
    };
    return stream;
  }

  /** Stops listening on Redis; streams still open end with their clients. */
  close(): void {
    this.stopListening();
  }

  private wake(dni: string): void {
    for (const onNotice of this.followers.get(dni) ?? []) onNotice();
  }
}

function parseNotice(message: string): Notice | null {
  try {
    const notice = JSON.parse(message) as Partial<Notice>;
    return typeof notice.dni === 'string' && typeof notice.from === 'string' ? { dni: notice.dni, from: notice.from } : null;
  } catch {
    return null;
  }
}
