// One message the engine sent, as the customer's phone would show it: text,
// buttons, a list, media (as a link: the console's CSP shows only its own
// images, and a file named by the flow is on another server) and the rest.
// Buttons and list rows answer only on the latest message, as on a phone.
import { Anchor, Button, Menu, Stack, Text } from "@mantine/core";
import { useI18n, type MessageKey } from "../../i18n";
import { buttonsOf, listOf, metaNumber, metaText, type Option, type Sent } from "./messages";

const MEDIA: Record<string, MessageKey> = {
  image: "simulator.media.image",
  video: "simulator.media.video",
  audio: "simulator.media.audio",
  document: "simulator.media.document",
  sticker: "simulator.media.sticker",
};

interface EngineMessageProps {
  sent: Sent;
  /** Set on the latest message: choosing a button or a row replies with it. */
  onChoose?: (kind: "button_reply" | "list_reply", option: Option) => void;
}

export function EngineMessage({ sent, onChoose }: EngineMessageProps) {
  const { t } = useI18n();
  const mediaUrl = metaText(sent, "media_url");
  const media = MEDIA[sent.type];
  return (
    <Stack gap={6}>
      {media && (
        <Text size="sm" fw={500}>
          {t(media)}
          {metaText(sent, "filename") && `: ${metaText(sent, "filename")}`}
          {mediaUrl && (
            <>
              {" · "}
              <Anchor href={mediaUrl} target="_blank" rel="noreferrer noopener" size="sm">
                {t("simulator.media.open")}
              </Anchor>
            </>
          )}
        </Text>
      )}
      {sent.type === "location" && (
        <Text size="sm">{t("simulator.location", { latitude: metaNumber(sent, "latitude") ?? "?", longitude: metaNumber(sent, "longitude") ?? "?" })}</Text>
      )}
      {sent.type === "contact" && (
        <Text size="sm">{t("simulator.contactCard", { name: metaText(sent, "name") ?? "?", phone: metaText(sent, "phone") ?? "?" })}</Text>
      )}
      {sent.content && (
        <Text size="sm" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
          {sent.content}
        </Text>
      )}
      {sent.type === "buttons" && (
        <Stack gap={4}>
          {buttonsOf(sent).map((button) => (
            <Button key={button.id} size="xs" variant="default" fullWidth disabled={!onChoose} onClick={() => onChoose?.("button_reply", button)}>
              {button.title}
            </Button>
          ))}
        </Stack>
      )}
      {sent.type === "list" && <ListMessage sent={sent} onChoose={onChoose} />}
    </Stack>
  );
}

function ListMessage({ sent, onChoose }: EngineMessageProps) {
  const { t } = useI18n();
  const list = listOf(sent);
  return (
    <Menu position="bottom" withinPortal width={260} disabled={!onChoose}>
      <Menu.Target>
        <Button size="xs" variant="default" fullWidth disabled={!onChoose}>
          {list.buttonText ?? t("simulator.openList")}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        {list.sections.map((section, index) => (
          <div key={section.title ?? index}>
            {section.title && <Menu.Label>{section.title}</Menu.Label>}
            {section.rows.map((row) => (
              <Menu.Item key={row.id} onClick={() => onChoose?.("list_reply", row)}>
                <Text size="sm">{row.title}</Text>
                {row.description && (
                  <Text size="xs" c="gray.7">
                    {row.description}
                  </Text>
                )}
              </Menu.Item>
            ))}
          </div>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
