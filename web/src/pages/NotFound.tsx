import { Anchor, Stack, Text } from "@mantine/core";
import { Link } from "react-router";
import { useI18n } from "../i18n";
import { HOME } from "../layout/navigation";

export function NotFound() {
  const { t } = useI18n();
  return (
    <Stack>
      <Text>{t("page.notFound")}</Text>
      <Anchor component={Link} to={HOME}>
        {t("page.backHome")}
      </Anchor>
    </Stack>
  );
}
