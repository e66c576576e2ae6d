import { Badge } from "@mantine/core";
import type { UserStatus } from "../api/types";
import { useI18n } from "../i18n";

const COLOR = { online: "teal", away: "yellow", offline: "gray" } as const satisfies Record<UserStatus, string>;

/** A person's presence (online, away, offline) as a coloured dot and its word. */
export function PresenceBadge({ status }: { status: UserStatus }) {
  const { t } = useI18n();
  return (
    <Badge variant="dot" color={COLOR[status]}>
      {t(`status.${status}`)}
    </Badge>
  );
}
