// A socket.io client signed in by a session cookie, connected (or the
// connection error thrown), as the portal's pages open them.
import { io as connect, type Socket } from 'socket.io-client';
import { SESSION_COOKIE_NAME } from '../../lib/auth';

export async function connectWithSession(serverUrl: string, namespace: string, sessionToken: string): Promise<Socket> {
  const socket = connect(`${serverUrl}${namespace}`, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie: `${SESSION_COOKIE_NAME}=${sessionToken}` } });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
  } catch (error) {
    socket.close();
    throw error;
  }
  return socket;
}
