// Messages beyond text: an image by its URL (the API takes media by URL; it has
// no upload endpoint), up to three reply buttons, or a list of options.
import { Alert, Button, Group, Modal, SegmentedControl, Stack, Textarea, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../auth/context";
import { useI18n } from "../../i18n";
import { problemText } from "../problem";
import { upsertMessage } from "./message-cache";

type Kind = "image" | "buttons" | "list";
interface SendBody {
  type: Kind;
  content: string;
  media_url?: string;
  metadata?: object;
}

/** Lines of a text box, trimmed, empty ones left out: one button or list row per line. */
const lines = (value: string) =>
  value
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
/** An id WhatsApp sends back when the option is chosen: from its position, so equal titles still differ. */
const optionId = (index: number) => `opt_${index + 1}`;

export function RichMessageModal({ conversationId, opened, onClose }: { conversationId: string; opened: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<Kind>("image");
  const [content, setContent] = useState("");
  const [url, setUrl] = useState("");
  const [options, setOptions] = useState("");
  const [buttonText, setButtonText] = useState("");
  const [sectionTitle, setSectionTitle] = useState("");

  const body = (): SendBody => {
    if (kind === "image") return { type: "image", media_url: url.trim(), content };
    if (kind === "buttons") return { type: "buttons", content, metadata: { buttons: lines(options).map((text, index) => ({ id: optionId(index), text })) } };
    return {
      type: "list",
      content,
      metadata: { button_text: buttonText, sections: [{ title: sectionTitle, rows: lines(options).map((title, index) => ({ id: optionId(index), title })) }] },
    };
  };
  const send = useMutation({
    // The OpenAPI document declares `metadata` with no properties (the engine checks it by type): the shape is the one docs/api.md gives.
    mutationFn: () =>
      api.post("/api/conversations/{id}/messages", { path: { id: conversationId }, body: body() as { type: Kind; metadata?: Record<string, never> } }),
    onSuccess: (message) => {
      upsertMessage(queryClient, message);
      setContent("");
      setUrl("");
      setOptions("");
      onClose();
    },
  });
  const problem = send.isError ? problemText(send.error, t) : null;

  return (
    <Modal opened={opened} onClose={onClose} title={t("inbox.rich.title")}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          send.mutate();
        }}
      >
        <Stack gap="sm">
          <SegmentedControl
            value={kind}
            onChange={(value) => setKind(value)}
            data={(["image", "buttons", "list"] as const).map((value) => ({ value, label: t(`inbox.type.${value}`) }))}
          />
          {kind === "image" && (
            <TextInput required type="url" label={t("inbox.rich.url")} placeholder="https://…" value={url} onChange={(e) => setUrl(e.currentTarget.value)} />
          )}
          <Textarea
            required={kind !== "image"}
            label={kind === "image" ? t("inbox.rich.caption") : t("inbox.rich.text")}
            value={content}
            onChange={(e) => setContent(e.currentTarget.value)}
            autosize
            minRows={2}
          />
          {kind === "list" && (
            <Group grow>
              <TextInput required label={t("inbox.rich.buttonText")} value={buttonText} onChange={(e) => setButtonText(e.currentTarget.value)} />
              <TextInput required label={t("inbox.rich.section")} value={sectionTitle} onChange={(e) => setSectionTitle(e.currentTarget.value)} />
            </Group>
          )}
          {kind !== "image" && (
            <Textarea
              required
              label={kind === "buttons" ? t("inbox.rich.buttons") : t("inbox.rich.rows")}
              description={kind === "buttons" ? t("inbox.rich.buttonsHint") : t("inbox.rich.rowsHint")}
              value={options}
              onChange={(e) => setOptions(e.currentTarget.value)}
              autosize
              minRows={3}
            />
          )}
          {problem && (
            <Alert color="red">
              {problem.field ? `${problem.field}: ` : ""}
              {problem.text}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("inbox.cancel")}
            </Button>
            <Button type="submit" loading={send.isPending}>
              {t("inbox.composer.send")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
