// Keeping the cached timelines and conversations current from live events and
// the change feed, by version (docs/api.md, "Versions"): of two copies of a
// record the greater version wins, so events that overtake each other or come
// twice change nothing.
import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import { inboxKeys, type Conversation, type Message, type MessagePage } from "./types";

type Timeline = InfiniteData<MessagePage, string | undefined>;
type Status = Message["status"];

/** Statuses whose message is not cached yet (`message_status` may overtake `new_message`), by message id. */
const pendingStatus = new Map<string, { status: Status; version: number }>();

function withPendingStatus(message: Message): Message {
  const pending = pendingStatus.get(message.id);
  if (!pending) return message;
  pendingStatus.delete(message.id);
  return pending.version > message.version ? { ...message, status: pending.status, version: pending.version } : message;
}

/** Stores a message in its conversation's cached timeline (pages[0] is the newest page), unless a newer copy is there. */
export function upsertMessage(queryClient: QueryClient, incoming: Message): void {
  const message = withPendingStatus(incoming);
  queryClient.setQueryData<Timeline>(inboxKeys.messages(message.conversation_id), (timeline) => {
    if (!timeline) return timeline;
    let found = false;
    const pages = timeline.pages.map((page) => {
      const index = page.items.findIndex((item) => item.id === message.id);
      if (index < 0) return page;
      found = true;
      if (page.items[index]!.version >= message.version) return page;
      const items = page.items.slice();
      items[index] = message;
      return { ...page, items };
    });
    if (!found && pages[0]) pages[0] = { ...pages[0], items: [...pages[0].items, message] };
    return { ...timeline, pages };
  });
  setPreview(queryClient, message);
}

/** A receipt: changes the cached message's status when it is newer, or keeps it for when the message comes. */
export function applyStatus(queryClient: QueryClient, conversationId: string, messageId: string, status: Status, version: number): void {
  let found = false;
  queryClient.setQueryData<Timeline>(inboxKeys.messages(conversationId), (timeline) => {
    if (!timeline) return timeline;
    const pages = timeline.pages.map((page) => ({
      ...page,
      items: page.items.map((item) => {
        if (item.id !== messageId) return item;
        found = true;
        return item.version < version ? { ...item, status, version } : item;
      }),
    }));
    return { ...timeline, pages };
  });
  if (!found) pendingStatus.set(messageId, { status, version });
}

/** The list's "last message" line: the newest message the tab has seen of the conversation. */
export function setPreview(queryClient: QueryClient, message: Message): void {
  queryClient.setQueryData<Message | null>(inboxKeys.preview(message.conversation_id), (current) =>
    current && current.created_at > message.created_at ? current : message,
  );
}

/** Stores a conversation unless a newer copy is cached. */
export function upsertConversation(queryClient: QueryClient, conversation: Conversation): void {
  queryClient.setQueryData<Conversation>(inboxKeys.conversation(conversation.id), (current) =>
    current && current.version >= conversation.version ? current : conversation,
  );
}
