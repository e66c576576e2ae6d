import { useI18n } from "../../i18n";
import type { Message } from "./types";

/** A message in one line: its text, or what kind of message it is. */
export function MessagePreview({ message }: { message: Message }) {
  const { t } = useI18n();
  const prefix = message.is_internal
    ? `${t("inbox.message.note")}: `
    : message.direction === "outbound"
      ? `${message.sender.name ?? t("inbox.sender.bot")}: `
      : "";
  return (
    <>
      {prefix}
      {message.content || t("inbox.message.kind", { type: message.type })}
    </>
  );
}
