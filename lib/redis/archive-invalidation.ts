// Ingest's known-series cache across the processes of a node (issue 20): a
// patient correction or merge, or a deletion, makes the process that did it
// forget those series (pacs-core/ingest.ts forgetIndexedSeries, event
// 'series.forgotten'); this publishes that on Redis, and every other process
// forgets them too — otherwise its next images of those series would carry
// the patient's old values. Messages sent while a process's subscription was
// down are lost, so a process whose subscription comes back forgets every
// series (the cache fills again from the database, one lookup per series).
// The series metadata cache needs none of this: its files are named by the
// series' metadataVersion, which the database holds.
import { randomUUID } from 'node:crypto';
import type { Archive } from '../../pacs-core/archive';
import { forgetIndexedSeries } from '../../pacs-core/ingest';
import type { Logger } from '../../pacs-core/logger';
import { blockingClientOf, type RedisClient } from './redis-client';

export const FORGOTTEN_SERIES_CHANNEL = 'telepacs:archive:series-forgotten';

interface ForgottenMessage {
  from: string;
  seriesIds: string[] | null;
}

/** Starts sharing; the returned function stops it. Resolves once subscribed. */
export async function shareArchiveInvalidation(archive: Archive, redis: RedisClient, logger: Logger): Promise<() => void> {
  const self = randomUUID();
  // A subscribed connection can do nothing else; no command timeout on it (it waits for messages)
  const subscriber = blockingClientOf(redis);
  subscriber.on('error', () => {}); // the main connection logs the outage
  let subscribedOnce = false;
  subscriber.on('ready', () => {
    // ioredis subscribes again by itself; what was published meanwhile is lost: forget everything
    if (subscribedOnce) forgetIndexedSeries(archive, undefined, { fromPeer: true });
  });
  subscriber.on('message', (channel: string, text: string) => {
    if (channel !== FORGOTTEN_SERIES_CHANNEL) return;
    try {
      const message = JSON.parse(text) as ForgottenMessage;
      if (message.from === self) return;
      forgetIndexedSeries(archive, message.seriesIds ?? undefined, { fromPeer: true });
    } catch (error) {
      logger.warn('unreadable series invalidation from Redis', { error: String(error) });
    }
  });
  await subscriber.subscribe(FORGOTTEN_SERIES_CHANNEL);
  subscribedOnce = true;
  const publish = ({ seriesIds }: { seriesIds: string[] | undefined }) => {
    const message: ForgottenMessage = { from: self, seriesIds: seriesIds ?? null };
    redis.publish(FORGOTTEN_SERIES_CHANNEL, JSON.stringify(message)).catch((error: unknown) => {
      logger.warn('series invalidation not published: the other processes keep the series until their Redis subscription returns', { error: String(error), series: seriesIds?.length ?? 'all' });
    });
  };
  archive.events.on('series.forgotten', publish);
  return () => {
    archive.events.off('series.forgotten', publish);
    subscriber.disconnect();
  };
}
