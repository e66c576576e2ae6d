import { Badge, Box, Button, Group, Paper, Stack, Text } from "@mantine/core";
import { useI18n } from "../../i18n";
import { MediaContent } from "./MediaContent";
import { Receipt } from "./Receipt";
import type { Message } from "./types";

const MEDIA_TYPES = new Set(["image", "sticker", "audio", "video", "document"]);

/** Metadata is free-form JSON: read one field as text, or null. */
const text = (value: unknown): string | null => (typeof value === "string" || typeof value === "number" ? String(value) : null);
const list = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? value.filter((item): item is Record<string, unknown> => !!item && typeof item === "object") : [];

/** One message of the timeline: the customer's on the left, the team's on the right, notes apart, system lines centred. */
export function MessageBubble({ message }: { message: Message }) {
  const { t } = useI18n();
  const time = new Date(message.created_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  if (message.sender.type === "system")
    return (
      <Text size="xs" c="dimmed" ta="center" data-testid="message">
        {message.content} · {time}
      </Text>
    );
  const outbound = message.direction === "outbound";
  const note = message.is_internal;
  const sender = message.sender.name ?? t(message.sender.type === "bot" ? "inbox.sender.bot" : "inbox.sender.customer");

  return (
    <Group justify={outbound ? "flex-end" : "flex-start"} data-testid="message" data-type={message.type} data-note={note || undefined}>
      <Paper
        p="xs"
        radius="md"
        maw="75%"
        withBorder
        style={{
          background: note ? "var(--mantine-color-yellow-0)" : outbound ? "var(--mantine-color-blue-0)" : "var(--mantine-color-white)",
          borderStyle: note ? "dashed" : undefined,
          borderColor: note ? "var(--mantine-color-yellow-6)" : undefined,
        }}
      >
        <Stack gap={4}>
          <Group gap={6}>
            <Text size="xs" fw={600} c="dimmed">
              {sender}
            </Text>
            {note && (
              <Badge size="xs" color="yellow" variant="light">
                {t("inbox.message.note")}
              </Badge>
            )}
          </Group>
          <MessageBody message={message} />
          <Group gap={6} justify="flex-end">
            <Text size="xs" c="dimmed">
              {time}
            </Text>
            {outbound && !note && <Receipt message={message} />}
          </Group>
        </Stack>
      </Paper>
    </Group>
  );
}

function MessageBody({ message }: { message: Message }) {
  const { t } = useI18n();
  const { metadata } = message;
  const content = message.content ? (
    <Text size="sm" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
      {message.content}
    </Text>
  ) : null;

  if (MEDIA_TYPES.has(message.type))
    return (
      <>
        <MediaContent message={message} />
        {content}
      </>
    );
  switch (message.type) {
    case "buttons":
      return (
        <>
          {content}
          <Group gap={4}>
            {list(metadata.buttons).map((button, index) => (
              <Button key={text(button.id) ?? index} size="compact-xs" variant="default" tabIndex={-1} style={{ pointerEvents: "none" }}>
                {text(button.text) ?? text(button.title)}
              </Button>
            ))}
          </Group>
        </>
      );
    case "list":
      return (
        <>
          {content}
          <Box>
            <Badge variant="outline" size="sm">
              {text(metadata.button_text) ?? t("inbox.type.list")}
            </Badge>
            {list(metadata.sections).map((section, index) => (
              <Box key={index} mt={4}>
                <Text size="xs" fw={700}>
                  {text(section.title)}
                </Text>
                {list(section.rows).map((row, rowIndex) => (
                  <Text key={text(row.id) ?? rowIndex} size="xs">
                    • {text(row.title)}
                    {text(row.description) && <Text span c="dimmed" size="xs">{` — ${text(row.description)}`}</Text>}
                  </Text>
                ))}
              </Box>
            ))}
          </Box>
        </>
      );
    case "button_reply":
    case "list_reply":
      return (
        <>
          <Badge size="xs" variant="light">
            {t(`inbox.type.${message.type}`)}
          </Badge>
          {content}
        </>
      );
    case "location": {
      const latitude = text(metadata.latitude);
      const longitude = text(metadata.longitude);
      return (
        <>
          <Badge size="xs" variant="light">
            {t("inbox.type.location")}
          </Badge>
          {text(metadata.name) && <Text size="sm">{text(metadata.name)}</Text>}
          {latitude && longitude && (
            <Text
              size="xs"
              component="a"
              href={`https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=16/${latitude}/${longitude}`}
              target="_blank"
              rel="noreferrer"
              c="blue"
            >
              {latitude}, {longitude}
            </Text>
          )}
          {content}
        </>
      );
    }
    case "contact": {
      // Received cards come as `contacts` (a phone may share several); sent ones as `name` and `phone`.
      const cards = list(metadata.contacts).length ? list(metadata.contacts) : [metadata];
      return (
        <>
          <Badge size="xs" variant="light">
            {t("inbox.type.contact")}
          </Badge>
          {cards.map((card, index) => (
            <Text size="sm" key={index}>
              {text(card.name) ?? message.content}{" "}
              {text(card.phone) && (
                <Text span c="dimmed">
                  {text(card.phone)}
                </Text>
              )}
            </Text>
          ))}
        </>
      );
    }
    case "reaction":
      return <Text size="lg">{message.content}</Text>;
    default:
      return (
        content ?? (
          <Text size="sm" c="dimmed">
            {t("inbox.message.kind", { type: message.type })}
          </Text>
        )
      );
  }
}
