import { Badge, Group, Stack, Text, Title } from "@mantine/core";
import { useI18n } from "../i18n";
import type { Page } from "../layout/navigation";

/** A page of the navigation that is not built yet: it says so, and shows no made-up data. */
export function ComingSoon({ page }: { page: Page }) {
  const { t } = useI18n();
  return (
    <Stack maw={720}>
      <Group>
        <Title order={2}>{t(page.label)}</Title>
        <Badge variant="light">{t("page.coming")}</Badge>
      </Group>
      <Text>{t("page.comingText", { api: page.api })}</Text>
    </Stack>
  );
}
