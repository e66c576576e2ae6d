import { Button, Center, Paper, Stack, Text, Title } from "@mantine/core";
import { useSession } from "../auth/context";
import { useI18n } from "../i18n";

/** The engine ended this tab's session (docs/api.md, Authentication): say so plainly before the login form. */
export function SessionEndedPage() {
  const { t } = useI18n();
  const session = useSession();
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" radius="md" maw={480}>
        <Stack>
          <Title order={1} size="h2">
            {t("session.endedTitle")}
          </Title>
          <Text>{t("session.endedText")}</Text>
          <Button onClick={() => session.acknowledgeEnd()}>{t("session.signInAgain")}</Button>
        </Stack>
      </Paper>
    </Center>
  );
}
