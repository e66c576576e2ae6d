// The open conversation's Socket.IO room: joined so `typing` flows both ways
// (docs/api.md, "Client events"); joined again after every reconnection, since
// a new socket is in no conversation room.
import { useCallback, useEffect, useRef, useState } from "react";
import { useSignedIn } from "../../auth/context";
import { useResync, useSocketEmit, useSocketEvent } from "../../realtime/socket";

/** The engine shows "typing…" to the customer for a while: repeat no more often than this while the agent types. */
const TYPING_EVERY_MS = 3_000;
/** Someone else's "typing…" fades this long after their last event. */
const TYPING_SHOWN_MS = 5_000;

export function useConversationRoom(conversationId: string): { typing: string[]; sendTyping: () => void } {
  const emit = useSocketEmit();
  const { user } = useSignedIn();
  const lastSent = useRef(0);
  const [typing, setTyping] = useState<Record<string, { name: string; until: number }>>({});

  const join = useCallback(() => {
    emit("join_conversation", { conversation_id: conversationId }).catch(() => undefined);
  }, [emit, conversationId]);
  useEffect(() => {
    join();
    return () => {
      emit("leave_conversation", { conversation_id: conversationId }).catch(() => undefined);
    };
  }, [join, emit, conversationId]);
  useResync(join);

  useSocketEvent("typing", (event) => {
    if (event.conversation_id !== conversationId || event.user.id === user.id) return;
    setTyping((current) => ({ ...current, [event.user.id]: { name: event.user.name, until: Date.now() + TYPING_SHOWN_MS } }));
  });
  const someone = Object.keys(typing).length > 0;
  useEffect(() => {
    if (!someone) return;
    const timer = setInterval(() => {
      setTyping((current) => Object.fromEntries(Object.entries(current).filter(([, entry]) => entry.until > Date.now())));
    }, 1_000);
    return () => clearInterval(timer);
  }, [someone]);

  const sendTyping = useCallback(() => {
    if (Date.now() - lastSent.current < TYPING_EVERY_MS) return;
    lastSent.current = Date.now();
    emit("typing", { conversation_id: conversationId }).catch(() => undefined);
  }, [emit, conversationId]);

  return { typing: Object.values(typing).map((entry) => entry.name), sendTyping };
}
