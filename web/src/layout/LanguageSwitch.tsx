import { SegmentedControl } from "@mantine/core";
import { LANGUAGES, useI18n } from "../i18n";

/** Español / English, for every screen (the choice is remembered in this browser). */
export function LanguageSwitch() {
  const { language, setLanguage, t } = useI18n();
  return (
    <SegmentedControl
      size="xs"
      aria-label={t("language.label")}
      value={language}
      onChange={(value) => setLanguage(value)}
      data={LANGUAGES.map((code) => ({ value: code, label: t(`language.${code}`) }))}
    />
  );
}
