// fetch for the admin client components: JSON in and out, one result shape,
// and a readable message for network failures.
export interface ApiResult<T> {
  ok: boolean;
  status: number;
  data: T & { error?: string; message?: string; fields?: Record<string, string> };
}

export async function callApi<T = Record<string, unknown>>(method: string, url: string, body?: unknown): Promise<ApiResult<T>> {
  try {
    const response = await fetch(url, {
      method,
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
    const data = response.status === 204 ? {} : await response.json().catch(() => ({}));
    if (response.status === 401) window.location.assign(`/sign-in?next=${encodeURIComponent(window.location.pathname)}`);
    return { ok: response.ok, status: response.status, data: data as ApiResult<T>['data'] };
  } catch {
    return { ok: false, status: 0, data: { error: 'NETWORK', message: 'The server could not be reached. Check the connection and try again.' } as ApiResult<T>['data'] };
  }
}
