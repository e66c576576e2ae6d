// A number waiting for its scan: the QR code as it rotates (the account's
// `qr_code`, renewed by `qr_code` events) and, for a simulated number and an
// admin, the simulator's phone that scans it.
import { Image, Loader, Stack, Text } from "@mantine/core";
import type { Account } from "../../api/types";
import { useI18n } from "../../i18n";
import { ScanForm } from "../simulator/ScanForm";

export function QrPanel({ account, canScan, size }: { account: Account; canScan: boolean; size: number }) {
  const { t } = useI18n();
  const simulated = account.provider === "simulator";
  return (
    <Stack gap="xs" align="flex-start">
      <Text size="sm">{t(simulated ? "whatsapp.qrHelpSimulator" : "whatsapp.qrHelp")}</Text>
      {account.qr_code ? (
        <Image src={account.qr_code} alt={t("whatsapp.qrAlt", { name: account.name })} w={size} h={size} fit="contain" />
      ) : (
        <Loader aria-label={t("whatsapp.qrWaiting")} />
      )}
      {simulated && canScan && <ScanForm accountId={account.id} />}
    </Stack>
  );
}
