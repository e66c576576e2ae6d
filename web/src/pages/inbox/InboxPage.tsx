// /inbox and /inbox/:conversationId: the list on the left, the open
// conversation in the middle, its contact on the right.
import { Box, Center, Flex, Text } from "@mantine/core";
import { useCallback, useEffect, useState } from "react";
import { useNavigate, useParams } from "react-router";
import { useSignedIn } from "../../auth/context";
import { useI18n } from "../../i18n";
import { ConversationList } from "./ConversationList";
import { ConversationView } from "./ConversationView";
import type { InboxFilters } from "./types";
import { loadUnread, markRead } from "./unread";
import { useInboxLive } from "./useInboxLive";

const NO_FILTERS: InboxFilters = { status: null, queueId: null, assignedTo: null, priority: null, search: "" };

export function InboxPage() {
  const { t } = useI18n();
  const { user } = useSignedIn();
  const navigate = useNavigate();
  const openId = useParams()["*"] || null;
  const [filters, setFilters] = useState(NO_FILTERS);
  const [page, setPage] = useState(1);
  loadUnread(user.id);

  useEffect(() => {
    if (openId) markRead(openId);
  }, [openId]);
  // The open conversation moved out of the user's sight (transferred away): close it.
  const onLeft = useCallback(
    (conversationId: string) => {
      if (conversationId === openId) Promise.resolve(navigate("/inbox")).catch(reportError);
    },
    [openId, navigate],
  );
  useInboxLive(openId, onLeft);

  return (
    <Flex gap="md" h="calc(100dvh - 56px - 2 * var(--mantine-spacing-md))">
      <Box w={{ base: "100%", md: 340 }} h="100%" style={{ flexShrink: 0 }} visibleFrom={openId ? "md" : undefined}>
        <ConversationList filters={filters} onFilters={setFilters} page={page} onPage={setPage} openId={openId} />
      </Box>
      <Box h="100%" style={{ flex: 1, minWidth: 0 }} visibleFrom={openId ? undefined : "md"}>
        {openId ? (
          <ConversationView key={openId} conversationId={openId} />
        ) : (
          <Center h="100%">
            <Box ta="center">
              <Text fw={600}>{t("inbox.pickTitle")}</Text>
              <Text c="dimmed" size="sm">
                {t("inbox.pickText")}
              </Text>
            </Box>
          </Center>
        )}
      </Box>
    </Flex>
  );
}
