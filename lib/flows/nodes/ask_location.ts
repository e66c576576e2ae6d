import { questionNode } from "./kit/question";

export default questionNode({
  type: "ask_location",
  description: "Asks the contact to share a location; stores {latitude, longitude, name}.",
  parse(input) {
    const { latitude, longitude } = input.metadata;
    if (input.type !== "location" || typeof latitude !== "number" || typeof longitude !== "number") return undefined;
    return { latitude, longitude, name: input.text ?? null };
  },
});
