// The foot of a paginated list (the API's `{items, total, page, limit}`): which
// rows are shown, and the page buttons when there is more than one page.
import { Group, Pagination, Text } from "@mantine/core";
import { useI18n } from "../i18n";

interface ListPagerProps {
  page: number;
  limit: number;
  total: number;
  shown: number;
  onChange: (page: number) => void;
}

export function ListPager({ page, limit, total, shown, onChange }: ListPagerProps) {
  const { t } = useI18n();
  const pages = Math.max(1, Math.ceil(total / limit));
  const first = shown ? (page - 1) * limit + 1 : 0;
  return (
    <Group justify="space-between">
      <Text size="sm" c="gray.7">
        {t("shared.range", { first, last: first + Math.max(shown - 1, 0), total })}
      </Text>
      {pages > 1 && (
        <Pagination
          total={pages}
          value={page}
          onChange={onChange}
          getControlProps={(control) => ({ "aria-label": t(control === "next" ? "shared.nextPage" : "shared.previousPage") })}
          getItemProps={(item) => ({ "aria-label": t("shared.page", { page: item }) })}
        />
      )}
    </Group>
  );
}
