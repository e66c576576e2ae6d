import { Alert, Button, Center, Loader, Stack, Text } from "@mantine/core";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useEffect, useLayoutEffect, useRef } from "react";
import { useApi } from "../../auth/context";
import { useI18n } from "../../i18n";
import { problemText } from "../problem";
import { MessageBubble } from "./MessageBubble";
import { inboxKeys } from "./types";

const PAGE_SIZE = 50;
/** How close to an edge (px) counts as being there: near the top loads older messages, near the bottom follows new ones. */
const EDGE_PX = 80;

/** The conversation's messages, oldest at the top; older pages come in when scrolled to the top. */
export function Timeline({ conversationId, typing }: { conversationId: string; typing: string[] }) {
  const { t } = useI18n();
  const api = useApi();
  const viewport = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  /** The scroll height before older messages were put on top, to keep what was shown in place. */
  const heightBeforeOlder = useRef<number | null>(null);
  const timeline = useInfiniteQuery({
    queryKey: inboxKeys.messages(conversationId),
    queryFn: ({ pageParam, signal }) =>
      api.get("/api/conversations/{id}/messages", { path: { id: conversationId }, query: { before: pageParam, limit: PAGE_SIZE }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => (last.has_more ? last.items[0]?.id : undefined),
  });
  // pages[0] is the newest page: shown last.
  const messages = (timeline.data?.pages ?? []).toReversed().flatMap((page) => page.items);
  const lastId = messages.at(-1)?.id;

  useLayoutEffect(() => {
    const element = viewport.current;
    if (!element) return;
    if (heightBeforeOlder.current !== null) {
      element.scrollTop += element.scrollHeight - heightBeforeOlder.current;
      heightBeforeOlder.current = null;
    } else if (atBottom.current) element.scrollTop = element.scrollHeight;
  }, [messages.length, lastId, typing.length]);

  // Pictures and players grow the timeline after they load: one followed at the bottom stays there.
  const content = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = viewport.current;
    if (!content.current || !element) return;
    const observer = new ResizeObserver(() => {
      if (atBottom.current) element.scrollTop = element.scrollHeight;
    });
    observer.observe(content.current);
    return () => observer.disconnect();
  }, [timeline.isSuccess]);

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = timeline;
  const loadOlder = () => {
    if (!hasNextPage || isFetchingNextPage || !viewport.current) return;
    heightBeforeOlder.current = viewport.current.scrollHeight;
    fetchNextPage().catch(reportError);
  };
  // A short first page leaves nothing to scroll: fetch older ones until it fills the view.
  useEffect(() => {
    const element = viewport.current;
    if (element && hasNextPage && !isFetchingNextPage && element.scrollHeight <= element.clientHeight) {
      heightBeforeOlder.current = element.scrollHeight;
      fetchNextPage().catch(reportError);
    }
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, messages.length]);

  if (timeline.isPending)
    return (
      <Center style={{ flex: 1 }}>
        <Loader aria-label={t("app.loading")} />
      </Center>
    );
  if (timeline.isError)
    return (
      <Alert color="red" m="md" title={t("inbox.timeline.failed")}>
        {problemText(timeline.error, t).text}
      </Alert>
    );

  return (
    <div
      ref={viewport}
      role="log"
      aria-label={t("inbox.timeline.title")}
      aria-live="polite"
      tabIndex={0}
      style={{ flex: 1, overflowY: "auto", padding: "var(--mantine-spacing-sm)", background: "var(--mantine-color-gray-0)" }}
      onScroll={(event) => {
        const element = event.currentTarget;
        atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < EDGE_PX;
        if (element.scrollTop < EDGE_PX) loadOlder();
      }}
    >
      <Stack gap="xs" ref={content}>
        {hasNextPage && (
          <Center>
            <Button size="compact-xs" variant="subtle" loading={isFetchingNextPage} onClick={loadOlder}>
              {t("inbox.timeline.older")}
            </Button>
          </Center>
        )}
        {messages.length === 0 && (
          <Text c="dimmed" ta="center" size="sm">
            {t("inbox.timeline.empty")}
          </Text>
        )}
        {messages.map((message) => (
          <MessageBubble key={message.id} message={message} />
        ))}
        {typing.length > 0 && (
          <Text size="xs" c="dimmed" fs="italic" role="status">
            {t("inbox.timeline.typing", { names: typing.join(", ") })}
          </Text>
        )}
      </Stack>
    </div>
  );
}
