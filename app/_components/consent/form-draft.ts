// A form's typed content kept across a detour: when a share is refused for want
// of consent, the form is saved in this tab's sessionStorage before the user
// leaves for the signing screen, and given back once when they return
// (?returnTo= brings them to the same address). Files cannot be kept this way.
const PREFIX = 'telepacs:draft:';

export function saveFormDraft(key: string, value: unknown): void {
  try {
    window.sessionStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the detour then costs the typing, nothing else
  }
}

/** The saved draft (removed as it is read), or null */
export function takeFormDraft<T>(key: string): T | null {
  try {
    const text = window.sessionStorage.getItem(PREFIX + key);
    if (text === null) return null;
    window.sessionStorage.removeItem(PREFIX + key);
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}
