// The sign-in throttle's counts in Redis (REDIS_URL), so that the processes of
// a node count one guesser together: a list of failure times per key, kept as
// long as the throttle's window. Redis unreachable: this process's own counts
// decide (a failure is still counted here), and the log says so.
import type { AuthContext } from './auth-context';
import { LOGIN_WINDOW_MS, loginRateLimiterFor, type LoginFailuresMirror, type LoginRateLimiter } from './login-rate-limiter';
import type { RedisClient } from '../redis/redis-client';
import type { Logger } from '../../pacs-core/logger';

const PREFIX = 'telepacs:login:';
/** Failure times kept per key: more than any rule counts */
const KEPT = 100;

export function redisLoginFailures(redis: RedisClient, logger: Logger): LoginFailuresMirror {
  const failed = (what: string) => (error: unknown) => logger.warn(`sign-in throttle: could not ${what} the shared counts in Redis; this process's own decide`, { error: String(error) });
  return {
    async load(keys) {
      const loaded = new Map<string, number[]>();
      try {
        const lists = await Promise.all(keys.map((key) => redis.lrange(PREFIX + key, -KEPT, -1)));
        keys.forEach((key, index) => loaded.set(key, lists[index].map(Number)));
      } catch (error) {
        failed('read')(error);
      }
      return loaded;
    },
    add(keys, at) {
      const pipeline = redis.multi();
      for (const key of keys) pipeline.rpush(PREFIX + key, String(at)).ltrim(PREFIX + key, -KEPT, -1).pexpire(PREFIX + key, LOGIN_WINDOW_MS);
      pipeline.exec().catch(failed('write'));
    },
    remove(keys) {
      redis.del(...keys.map((key) => PREFIX + key)).catch(failed('clear'));
    },
  };
}

/** The process's limiter, counting with the other processes when REDIS_URL is set. */
export function loginLimiterOf(context: Pick<AuthContext, 'shared' | 'logger' | 'redis'>): LoginRateLimiter {
  return loginRateLimiterFor(context.shared, undefined, context.redis ? redisLoginFailures(context.redis, context.logger) : undefined);
}
