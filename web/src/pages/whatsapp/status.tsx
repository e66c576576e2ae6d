// A number's status and its reason, in words.
import { Badge, Text } from "@mantine/core";
import type { Account } from "../../api/types";
import { useI18n, type MessageKey } from "../../i18n";

const COLORS = {
  connected: "teal",
  qr: "blue",
  connecting: "yellow",
  reconnecting: "yellow",
  disconnected: "gray",
  logged_out: "orange",
  banned: "red",
} as const satisfies Record<Account["status"], string>;

const REASONS: Record<string, MessageKey> = {
  qr_not_scanned: "whatsapp.reason.qr_not_scanned",
  too_many_failures: "whatsapp.reason.too_many_failures",
  logged_out_by_operator: "whatsapp.reason.logged_out_by_operator",
  stopped: "whatsapp.reason.stopped",
  connection_lost: "whatsapp.reason.connection_lost",
  connection_replaced: "whatsapp.reason.connection_replaced",
  restart_required: "whatsapp.reason.restart_required",
  logged_out: "whatsapp.reason.logged_out",
  banned: "whatsapp.reason.banned",
  multidevice_mismatch: "whatsapp.reason.multidevice_mismatch",
};

export function StatusBadge({ status }: { status: Account["status"] }) {
  const { t } = useI18n();
  return (
    // A dot keeps the text dark (AA contrast); the dot's colour tells the state at a glance.
    <Badge color={COLORS[status]} variant="dot">
      {t(`whatsapp.status.${status}`)}
    </Badge>
  );
}

/** Why the number is in its state, when the engine says; a reason this console does not know is shown as the engine wrote it. */
export function StatusReason({ reason }: { reason: string | null }) {
  const { t } = useI18n();
  if (!reason) return null;
  const key = REASONS[reason];
  return (
    <Text size="sm" c="gray.7">
      {key ? t(key) : reason}
    </Text>
  );
}
