// /odoo (admins): where Charla finds the company's Odoo (docs/odoo.md). The
// API key is write-only: the engine says whether one is stored, never its
// value; leaving the field empty keeps it.
import { Alert, Center, Loader, Stack, Text, Title } from "@mantine/core";
import { useState } from "react";
import { LoadProblem } from "../../components/LoadProblem";
import { useI18n } from "../../i18n";
import { OdooSettingsForm } from "./OdooSettingsForm";
import { useOdooSettings } from "./settings";

export function OdooPage() {
  const { t } = useI18n();
  const settings = useOdooSettings();
  const [savedAt, setSavedAt] = useState<string | null>(null);
  return (
    <Stack maw={720}>
      <Title order={2}>{t("nav.odoo")}</Title>
      <Text c="gray.7">{t("odoo.intro")}</Text>
      {settings.isPending && (
        <Center p="xl">
          <Loader aria-label={t("app.loading")} />
        </Center>
      )}
      {settings.isError && <LoadProblem error={settings.error} onRetry={settings.refetch} />}
      {settings.data && (
        <>
          {settings.data.source === "environment" && (
            <Alert color="blue" variant="light">
              {t("odoo.fromEnvironment")}
            </Alert>
          )}
          {/* Keyed by the saved version: a save (here or by another admin, after a resync) refills the form. */}
          <OdooSettingsForm
            key={settings.data.updated_at ?? "none"}
            settings={settings.data}
            justSaved={savedAt !== null && savedAt === settings.data.updated_at}
            onSaved={(saved) => setSavedAt(saved.updated_at)}
          />
        </>
      )}
    </Stack>
  );
}
