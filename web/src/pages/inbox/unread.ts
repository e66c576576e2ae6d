// Unread marks, kept in this browser: the API has no read marker, so a
// conversation is unread when a customer's message arrived (live or through
// the change feed) while the agent did not have it open. Remembered per user
// in localStorage, so a reload keeps the marks.
import { useSyncExternalStore } from "react";

const listeners = new Set<() => void>();
let userId = "";
let unread: ReadonlySet<string> = new Set();

const storageKey = () => `charla.inbox.unread.${userId}`;

function save(next: ReadonlySet<string>): void {
  unread = next;
  localStorage.setItem(storageKey(), JSON.stringify([...next]));
  for (const listener of listeners) listener();
}

/** Loads the marks of the signed-in user (called when the inbox opens). */
export function loadUnread(forUser: string): void {
  if (forUser === userId) return;
  userId = forUser;
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(storageKey()) ?? "[]");
    unread = new Set(Array.isArray(stored) ? stored.filter((id): id is string => typeof id === "string") : []);
  } catch {
    unread = new Set();
  }
  for (const listener of listeners) listener();
}

export function markUnread(conversationId: string): void {
  if (!unread.has(conversationId)) save(new Set([...unread, conversationId]));
}

export function markRead(conversationId: string): void {
  if (!unread.has(conversationId)) return;
  const next = new Set(unread);
  next.delete(conversationId);
  save(next);
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

export const useUnread = (): ReadonlySet<string> => useSyncExternalStore(subscribe, () => unread);
