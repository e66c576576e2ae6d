import { Badge, Tooltip } from "@mantine/core";
import { useNow } from "../../hooks/useNow";
import { useI18n } from "../../i18n";

/** "3 m 20 s" / "1 h 5 m": the time left (or past) in words short enough for a badge. */
export function shortDuration(ms: number): string {
  const seconds = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h ? `${h} h ${m} m` : m ? `${m} m ${s} s` : `${s} s`;
}

/** An SLA deadline counting down; red once missed (or when the engine says it was missed). */
export function SlaDue({ kind, dueAt, met }: { kind: "first" | "resolution"; dueAt: string | null; met: boolean | null }) {
  const { t } = useI18n();
  const now = useNow();
  if (!dueAt || met === true) return null;
  const left = Date.parse(dueAt) - now;
  const breached = met === false || left <= 0;
  const label = t(kind === "first" ? "inbox.sla.first" : "inbox.sla.resolution");
  const text = breached ? t("inbox.sla.breached", { time: shortDuration(left) }) : t("inbox.sla.left", { time: shortDuration(left) });
  return (
    <Tooltip label={`${label}: ${new Date(dueAt).toLocaleString()}`}>
      <Badge
        size="xs"
        variant={breached ? "filled" : "light"}
        color={breached ? "red" : left < 5 * 60_000 ? "orange" : "gray"}
        aria-label={`${label}: ${text}`}
      >
        {label} · {text}
      </Badge>
    </Tooltip>
  );
}
