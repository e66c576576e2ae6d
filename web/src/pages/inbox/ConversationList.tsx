import { Alert, Center, Loader, Pagination, ScrollArea, Stack, Text } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useApi } from "../../auth/context";
import { useI18n } from "../../i18n";
import { problemText } from "../problem";
import { ConversationRow } from "./ConversationRow";
import { ListFilters } from "./ListFilters";
import { inboxKeys, type InboxFilters } from "./types";
import { useUnread } from "./unread";

const PAGE_SIZE = 30;

interface Props {
  filters: InboxFilters;
  onFilters: (next: InboxFilters) => void;
  page: number;
  onPage: (page: number) => void;
  openId: string | null;
}

/** The conversations the user may see, newest activity first, as the filters narrow them. */
export function ConversationList({ filters, onFilters, page, onPage, openId }: Props) {
  const { t } = useI18n();
  const api = useApi();
  const unread = useUnread();
  const { search, ...serverFilters } = filters;
  const list = useQuery({
    queryKey: inboxKeys.list(serverFilters, page),
    queryFn: ({ signal }) =>
      api.get("/api/conversations", {
        query: {
          status: serverFilters.status ?? undefined,
          queue_id: serverFilters.queueId ?? undefined,
          assigned_to: serverFilters.assignedTo ?? undefined,
          priority: serverFilters.priority ?? undefined,
          page,
          limit: PAGE_SIZE,
        },
        signal,
      }),
    placeholderData: keepPreviousData,
  });
  const needle = search.trim().toLocaleLowerCase();
  const items = (list.data?.items ?? []).filter(
    (c) => !needle || [c.contact.name, c.contact.phone_number].some((field) => field?.toLocaleLowerCase().includes(needle)),
  );
  const pages = list.data ? Math.max(1, Math.ceil(list.data.total / PAGE_SIZE)) : 1;

  return (
    <Stack gap="xs" h="100%" component="section" aria-label={t("inbox.list.title")}>
      <ListFilters
        filters={filters}
        onChange={(next) => {
          onFilters(next);
          if (next.search === filters.search) onPage(1);
        }}
      />
      <ScrollArea style={{ flex: 1 }} type="auto">
        {list.isPending ? (
          <Center p="lg">
            <Loader size="sm" aria-label={t("app.loading")} />
          </Center>
        ) : list.isError ? (
          <Alert color="red" title={t("inbox.list.failed")}>
            {problemText(list.error, t).text}
          </Alert>
        ) : items.length === 0 ? (
          <Text c="dimmed" size="sm" p="md" ta="center">
            {list.data.total === 0 ? t("inbox.list.empty") : t("inbox.list.noMatch")}
          </Text>
        ) : (
          <Stack gap={2} role="list">
            {items.map((conversation) => (
              <div role="listitem" key={conversation.id}>
                <ConversationRow conversation={conversation} selected={conversation.id === openId} unread={unread.has(conversation.id)} />
              </div>
            ))}
          </Stack>
        )}
      </ScrollArea>
      {pages > 1 && <Pagination size="sm" total={pages} value={page} onChange={onPage} aria-label={t("inbox.list.pages")} />}
    </Stack>
  );
}
