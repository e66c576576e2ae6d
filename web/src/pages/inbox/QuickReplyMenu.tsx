// Quick replies in the composer: typing `/` and the start of a shortcut lists
// the matching replies (GET /api/quick-replies?search=), arrows move, Enter or
// a click puts the reply, rendered for this conversation and agent, in the box.
import { Paper, Stack, Text, UnstyledButton } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useState, type KeyboardEvent } from "react";
import { useApi } from "../../auth/context";
import { useI18n } from "../../i18n";
import { problemText } from "../problem";
import type { QuickReply } from "./types";

/** A draft that is only a shortcut being typed: `/`, then letters, digits, `_` or `-`. */
const SHORTCUT = /^\/[\w-]{0,40}$/;
const MENU_ID = "quick-reply-menu";

export function useQuickReplies(conversationId: string, draft: string, insert: (text: string) => void) {
  const api = useApi();
  const { t } = useI18n();
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const typing = SHORTCUT.test(draft) && dismissed !== draft;
  const [search] = useDebouncedValue(draft, 150);
  const replies = useQuery({
    queryKey: ["inbox", "quick-replies", search],
    queryFn: ({ signal }) => api.get("/api/quick-replies", { query: { search, limit: 8 }, signal }),
    enabled: typing && SHORTCUT.test(search),
    staleTime: 30_000,
  });
  const items = typing ? (replies.data?.items ?? []) : [];
  const open = typing && (items.length > 0 || replies.isFetched);

  const choose = async (reply: QuickReply) => {
    setError(null);
    try {
      const rendered = await api.post("/api/conversations/{id}/quick-replies/{quick_reply_id}/render", {
        path: { id: conversationId, quick_reply_id: reply.id },
        body: { send: false },
      });
      insert(rendered.text);
    } catch (err) {
      setError(problemText(err, t).text);
    }
  };

  /** Handles the menu's keys; true when the key was the menu's. */
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!typing) return false;
    // A shortcut whose replies are still coming (or match none) is not sent as text: Esc first to send it as it is.
    if (items.length === 0) {
      if (event.key === "Escape") setDismissed(draft);
      else if (event.key !== "Enter") return false;
      event.preventDefault();
      return true;
    }
    const index = Math.min(active, items.length - 1);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      setActive((index + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length);
    } else if (event.key === "Enter" || event.key === "Tab") {
      choose(items[index]!).catch(reportError);
    } else if (event.key === "Escape") {
      setDismissed(draft);
    } else return false;
    event.preventDefault();
    return true;
  };

  return {
    open,
    items,
    active: Math.min(active, Math.max(items.length - 1, 0)),
    error,
    choose,
    onKeyDown,
    inputProps: {
      "aria-autocomplete": "list" as const,
      "aria-controls": open ? MENU_ID : undefined,
      "aria-expanded": open,
      "aria-activedescendant": open && items.length ? `${MENU_ID}-${Math.min(active, items.length - 1)}` : undefined,
    },
  };
}

export function QuickReplyMenu({ state }: { state: ReturnType<typeof useQuickReplies> }) {
  const { t } = useI18n();
  if (state.error)
    return (
      <Text size="xs" c="red" mb={4}>
        {state.error}
      </Text>
    );
  if (!state.open) return null;
  return (
    <Paper withBorder shadow="md" p={4} mb={6} id={MENU_ID} role="listbox" aria-label={t("inbox.quick.title")}>
      {state.items.length === 0 ? (
        <Text size="xs" c="dimmed" p={4}>
          {t("inbox.quick.none")}
        </Text>
      ) : (
        <Stack gap={2}>
          {state.items.map((reply, index) => (
            <UnstyledButton
              key={reply.id}
              id={`${MENU_ID}-${index}`}
              role="option"
              aria-selected={index === state.active}
              tabIndex={-1}
              p={4}
              style={{ borderRadius: 4, background: index === state.active ? "var(--mantine-color-blue-light)" : undefined }}
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => {
                state.choose(reply).catch(reportError);
              }}
            >
              <Text size="xs" fw={700}>
                {reply.shortcut}
              </Text>
              <Text size="xs" c="dimmed" truncate>
                {reply.content}
              </Text>
            </UnstyledButton>
          ))}
          <Text size="xs" c="dimmed" px={4}>
            {t("inbox.quick.hint")}
          </Text>
        </Stack>
      )}
    </Paper>
  );
}
