import { Alert, Box, Center, Flex, Loader, Paper, Stack } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../auth/context";
import { useI18n } from "../../i18n";
import { problemText } from "../problem";
import { Composer } from "./Composer";
import { ContactPanel } from "./ContactPanel";
import { ConversationHeader } from "./ConversationHeader";
import { Timeline } from "./Timeline";
import { inboxKeys } from "./types";
import { useConversationRoom } from "./useConversationRoom";

/** One open conversation: its header and actions, the timeline, the composer, and the contact beside them. */
export function ConversationView({ conversationId }: { conversationId: string }) {
  const { t } = useI18n();
  const api = useApi();
  const conversation = useQuery({
    queryKey: inboxKeys.conversation(conversationId),
    queryFn: ({ signal }) => api.get("/api/conversations/{id}", { path: { id: conversationId }, signal }),
  });
  const room = useConversationRoom(conversationId);

  if (conversation.isPending)
    return (
      <Center h="100%">
        <Loader aria-label={t("app.loading")} />
      </Center>
    );
  if (conversation.isError)
    return (
      <Alert color="red" title={t("inbox.conversation.failed")}>
        {problemText(conversation.error, t).text}
      </Alert>
    );
  const current = conversation.data;
  return (
    <Flex gap="md" h="100%">
      <Paper
        withBorder
        h="100%"
        style={{ flex: 1, minWidth: 0, display: "flex", flexDirection: "column", overflow: "hidden" }}
        component="section"
        aria-label={t("inbox.conversation.title")}
      >
        <ConversationHeader conversation={current} />
        <Stack gap={0} style={{ flex: 1, minHeight: 0 }}>
          <Timeline conversationId={conversationId} typing={room.typing} />
        </Stack>
        <Composer conversation={current} onTyping={room.sendTyping} />
      </Paper>
      <Box w={300} h="100%" style={{ flexShrink: 0 }} visibleFrom="lg">
        <ContactPanel contactId={current.contact.id} />
      </Box>
    </Flex>
  );
}
