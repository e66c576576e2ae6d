// The inbox's live side: socket events update the cached timelines and lists,
// and after every (re)connection, `catch_up` and once a minute the change feed
// (GET /api/changes) brings what the socket may have missed (docs/api.md,
// "Catching up after a reconnect").
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef } from "react";
import { ApiError } from "../../api/http";
import { useApi } from "../../auth/context";
import { useResync, useSocketEvent } from "../../realtime/socket";
import { applyStatus, upsertConversation, upsertMessage } from "./message-cache";
import { inboxKeys, type ChangesPage, type Message } from "./types";
import { markUnread } from "./unread";

/** The safety net of step 5: an event lost without any disconnection is picked up within this long. */
const CATCH_UP_EVERY_MS = 60_000;

export function useInboxLive(openId: string | null, onLeft: (conversationId: string) => void): void {
  const api = useApi();
  const queryClient = useQueryClient();
  const cursor = useRef<string | null>(null);
  const running = useRef(false);
  const open = useRef(openId);
  useEffect(() => {
    open.current = openId;
  }, [openId]);

  const refreshLists = useCallback(() => {
    queryClient.invalidateQueries({ queryKey: inboxKeys.lists }).catch(reportError);
  }, [queryClient]);

  const received = useCallback(
    (message: Message) => {
      upsertMessage(queryClient, message);
      if (message.direction === "inbound" && message.conversation_id !== open.current) markUnread(message.conversation_id);
    },
    [queryClient],
  );

  const catchUp = useCallback(async () => {
    if (running.current) return;
    running.current = true;
    try {
      if (!cursor.current) {
        cursor.current = (await api.get("/api/changes")).cursor;
        return;
      }
      let more = true;
      while (more) {
        const page: ChangesPage = await api.get("/api/changes", { query: { since: cursor.current ?? undefined, limit: 500 } });
        for (const item of page.items) {
          if (item.type === "message") received(item.message);
          else if (item.type === "conversation") upsertConversation(queryClient, item.conversation);
          else onLeft(item.conversation_id);
        }
        if (page.items.length) refreshLists();
        cursor.current = page.cursor;
        more = page.has_more;
      }
    } catch (err) {
      // A cursor the engine no longer knows (a restored database): start again from now, and reload what is shown.
      if (err instanceof ApiError && err.code === "VALIDATION_ERROR") {
        cursor.current = null;
        queryClient.invalidateQueries({ queryKey: inboxKeys.all }).catch(reportError);
      }
    } finally {
      running.current = false;
    }
  }, [api, queryClient, received, refreshLists, onLeft]);

  useEffect(() => {
    catchUp().catch(reportError);
    const timer = setInterval(() => {
      catchUp().catch(reportError);
    }, CATCH_UP_EVERY_MS);
    return () => clearInterval(timer);
  }, [catchUp]);
  useResync(() => {
    catchUp().catch(reportError);
  });

  useSocketEvent("message_status", ({ conversation_id, message_id, status, version }) =>
    applyStatus(queryClient, conversation_id, message_id, status, version),
  );
  const conversationChanged = ({ conversation_id }: { conversation_id: string }) => {
    queryClient.invalidateQueries({ queryKey: inboxKeys.conversation(conversation_id) }).catch(reportError);
    refreshLists();
  };
  // A message moves the conversation too (its last_message_at, first response, SLA): re-read it with the lists.
  useSocketEvent("new_message", ({ message }) => {
    received(message);
    conversationChanged(message);
  });
  useSocketEvent("conversation_updated", conversationChanged);
  useSocketEvent("conversation_assigned", conversationChanged);
  useSocketEvent("sla_warning", conversationChanged);
  useSocketEvent("sla_breached", conversationChanged);
}
