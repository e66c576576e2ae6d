import { Anchor, Button, Image, Loader, Text } from "@mantine/core";
import { useMediaObjectUrl } from "../../hooks/useMediaObjectUrl";
import { useI18n } from "../../i18n";
import type { Message } from "./types";

/** Engine files need the bearer token; anything else is a link (the console's CSP loads no other site's files). */
const isEngineFile = (url: string) => url.startsWith("/api/");

/** The file of an image, sticker, audio, video or document message. */
export function MediaContent({ message }: { message: Message }) {
  const { t } = useI18n();
  const url = message.media_url;
  const filename = typeof message.metadata.filename === "string" ? message.metadata.filename : null;
  if (!url) return null;
  // The engine could not fetch the file from WhatsApp (or the sender's URL): say so, and leave the original address.
  const fetchError = typeof message.metadata.media_error === "string" ? message.metadata.media_error : null;
  if (fetchError)
    return (
      <Text size="xs" c="red">
        {t("inbox.media.notStored", { reason: fetchError })}
      </Text>
    );
  if (!isEngineFile(url))
    return (
      <Anchor href={url} target="_blank" rel="noreferrer" size="sm">
        {filename ?? t("inbox.media.open")}
      </Anchor>
    );
  // The engine serves files as octet-stream; the type WhatsApp gave lets the browser show them (an SVG, say).
  const mimetype = typeof message.metadata.mimetype === "string" ? message.metadata.mimetype : undefined;
  return <EngineFile path={url} type={message.type} filename={filename} mimetype={mimetype} />;
}

function EngineFile({ path, type, filename, mimetype }: { path: string; type: string; filename: string | null; mimetype: string | undefined }) {
  const { t } = useI18n();
  const media = useMediaObjectUrl(path, mimetype);
  if (media.status === "loading") return <Loader size="xs" aria-label={t("app.loading")} />;
  if (media.status === "failed")
    return (
      <Text size="xs" c="red">
        {t("inbox.media.failed", { status: media.httpStatus })}
      </Text>
    );
  switch (type) {
    case "image":
    case "sticker":
      return <Image src={media.url} alt={filename ?? t(`inbox.type.${type}`)} maw={type === "sticker" ? 120 : 280} radius="sm" />;
    case "audio":
      return <audio controls src={media.url} aria-label={t("inbox.type.audio")} />;
    case "video":
      return <video controls src={media.url} style={{ maxWidth: 320 }} aria-label={t("inbox.type.video")} />;
    default:
      return (
        <Button component="a" href={media.url} download={filename ?? "file"} size="compact-xs" variant="default">
          {t("inbox.media.download", { name: filename ?? t("inbox.type.document") })}
        </Button>
      );
  }
}
