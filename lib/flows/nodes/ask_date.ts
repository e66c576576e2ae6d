import { questionNode, textOf } from "./kit/question";

/** dd/mm/yyyy (or with - or .) and yyyy-mm-dd, as an ISO date when it exists. */
export function parseDate(text: string): string | undefined {
  let parts: [number, number, number] | undefined;
  const dmy = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
  const ymd = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  if (ymd) parts = [Number(ymd[1]), Number(ymd[2]), Number(ymd[3])];
  else if (dmy) parts = [Number(dmy[3]), Number(dmy[2]), Number(dmy[1])];
  if (!parts) return undefined;
  const [year, month, day] = parts;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return date.toISOString().slice(0, 10);
}

export default questionNode({
  type: "ask_date",
  description: "Asks for a date (dd/mm/yyyy or yyyy-mm-dd); stores it as yyyy-mm-dd.",
  parse(input) {
    const text = textOf(input);
    return text === undefined ? undefined : parseDate(text);
  },
});
